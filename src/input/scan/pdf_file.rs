//! A PDF read piece by piece from its file, for the scan reader: the cross-reference sections (tables or
//! streams, newest first along `/Prev`) say where each object lies, each object is parsed from a small
//! read at that place, and image streams stay in the file (their dictionary, and where and how long their
//! bytes are, as [`lopdf::Stream::start_position`] with a direct `/Length`). A copier's PDF of 400 pages and
//! 300 MB is so listed in a few hundred kilobytes; a page's image is read when that page is decoded.
//!
//! Only what scans need is followed: an encrypted file, or one whose cross-reference does not lead to
//! every object, is refused here (the caller then loads it whole with lopdf, which repairs more).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// Streams longer than this are left in the file even when they are no image (none of them is needed to
/// find a page's scan; an image stream is always left there).
const KEPT_STREAM_LIMIT: u64 = 1 << 20;

/// The file's objects, image streams without their bytes, and how many bytes of the file were read.
pub(crate) struct Skeleton {
    pub doc: Document,
    /// How much of the file was read (tests check that no image was).
    #[cfg_attr(not(test), allow(dead_code))]
    pub bytes_read: u64,
}

/// Reads `path`'s structure: every object but the bytes of image (and very long) streams.
pub(crate) fn read_skeleton(path: &Path) -> Result<Skeleton, String> {
    let file = File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?
        .len();
    let mut loader = Loader {
        file: Reader {
            file,
            len,
            bytes_read: 0,
        },
        xref: HashMap::new(),
        object_streams: HashMap::new(),
    };
    let start = loader.file.xref_start()?;
    let trailer = loader.read_xref_chain(start)?;
    if trailer.get(b"Encrypt").is_ok() {
        return Err("the PDF is encrypted".into());
    }
    let mut doc = Document::new();
    let mut ids: Vec<u32> = loader.xref.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let (object_id, object) = loader.object(id, 0)?;
        doc.objects.insert(object_id, object);
    }
    doc.max_id = doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
    doc.trailer = trailer;
    Ok(Skeleton {
        doc,
        bytes_read: loader.file.bytes_read,
    })
}

/// The bytes of a stream [`read_skeleton`] left in the file: `None` when the stream is not such a one.
pub(crate) fn stream_place(stream: &Stream) -> Option<(u64, u64)> {
    let offset = stream.start_position? as u64;
    let length = stream.dict.get(b"Length").and_then(Object::as_i64).ok()?;
    (stream.content.is_empty() && length > 0).then_some((offset, length as u64))
}

/// `length` bytes of `path` from `offset`.
pub(crate) fn read_bytes(path: &Path, offset: u64, length: u64) -> Result<Vec<u8>, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let mut out = Vec::with_capacity(length.min(1 << 30) as usize);
    file.take(length)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if (out.len() as u64) < length {
        return Err("the file ends inside the page's image (a PDF cut short?)".into());
    }
    Ok(out)
}

struct Reader {
    file: File,
    len: u64,
    bytes_read: u64,
}

impl Reader {
    /// Up to `n` bytes from `offset` (fewer at the end of the file).
    fn read_at(&mut self, offset: u64, n: u64) -> Result<Vec<u8>, String> {
        let n = n.min(self.len.saturating_sub(offset));
        self.file
            .seek(SeekFrom::Start(offset))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(n as usize);
        (&mut self.file)
            .take(n)
            .read_to_end(&mut out)
            .map_err(|e| e.to_string())?;
        self.bytes_read += out.len() as u64;
        Ok(out)
    }

    /// Where the last `startxref` points.
    fn xref_start(&mut self) -> Result<u64, String> {
        let tail_len = self.len.min(2048);
        let tail = self.read_at(self.len - tail_len, tail_len)?;
        let at = tail
            .windows(9)
            .rposition(|w| w == b"startxref")
            .ok_or("no startxref at the end of the file")?;
        let mut lex = Lex::new(&tail[at + 9..], true);
        match lex.object(0) {
            Ok(Object::Integer(n)) if n >= 0 && (n as u64) < self.len => Ok(n as u64),
            _ => Err("startxref does not point into the file".into()),
        }
    }

    /// Parses what lies at `offset` with `parse`, reading more of the file while the parser runs out.
    fn parse_at<T>(
        &mut self,
        offset: u64,
        mut parse: impl FnMut(&mut Lex) -> Result<T, Fail>,
    ) -> Result<T, String> {
        let mut size = 1024;
        loop {
            let window = self.read_at(offset, size)?;
            let at_end = offset + window.len() as u64 >= self.len;
            let mut lex = Lex::new(&window, at_end);
            match parse(&mut lex) {
                Ok(v) => return Ok(v),
                Err(Fail::More) if !at_end => size *= 4,
                Err(Fail::More) => {
                    return Err(format!("the file ends inside an object at {offset}"));
                }
                Err(Fail::Bad(why)) => return Err(format!("{why} at byte {offset}")),
            }
        }
    }
}

/// An object stream's decoded bytes from `/First` on, and each object's number and offset there.
type ObjectStream = (Vec<u8>, Vec<(u32, usize)>);

#[derive(Clone, Copy)]
enum Entry {
    At(u64),
    InStream { stream: u32, index: usize },
}

struct Loader {
    file: Reader,
    /// Object number → generation and where it is; the newest section's entry wins.
    xref: HashMap<u32, (u16, Entry)>,
    /// Decoded object streams: their bytes from `/First` on and each object's offset there.
    object_streams: HashMap<u32, ObjectStream>,
}

impl Loader {
    /// Reads the cross-reference sections from `start` back along `/Prev`; the newest trailer is returned.
    fn read_xref_chain(&mut self, start: u64) -> Result<Dictionary, String> {
        let mut trailer: Option<Dictionary> = None;
        let mut seen = HashSet::new();
        let mut next = Some(start);
        while let Some(offset) = next {
            if !seen.insert(offset) {
                break;
            }
            let dict = self.read_xref_section(offset)?;
            // A hybrid file: the stream lists the objects its table leaves out.
            if let Ok(Object::Integer(stm)) = dict.get(b"XRefStm")
                && *stm >= 0
                && seen.insert(*stm as u64)
            {
                self.read_xref_section(*stm as u64)?;
            }
            next = match dict.get(b"Prev") {
                Ok(Object::Integer(p)) if *p >= 0 => Some(*p as u64),
                _ => None,
            };
            trailer.get_or_insert(dict);
        }
        let mut trailer = trailer.ok_or("no cross-reference section")?;
        for key in [
            b"Prev".as_slice(),
            b"XRefStm",
            b"W",
            b"Index",
            b"Filter",
            b"DecodeParms",
            b"Length",
            b"Type",
        ] {
            trailer.remove(key);
        }
        Ok(trailer)
    }

    /// One section (a table with its trailer, or a cross-reference stream): its entries are added where
    /// no newer one is, its dictionary returned.
    fn read_xref_section(&mut self, offset: u64) -> Result<Dictionary, String> {
        let head = self.file.read_at(offset, 16)?;
        let table = Lex::new(&head, true).keyword_is(b"xref");
        if table {
            let (entries, trailer) = self.file.parse_at(offset, |lex| {
                lex.expect_keyword(b"xref")?;
                let mut entries = Vec::new();
                loop {
                    if lex.keyword_is(b"trailer") {
                        lex.expect_keyword(b"trailer")?;
                        let Object::Dictionary(d) = lex.object(0)? else {
                            return Err(Fail::Bad("the trailer is no dictionary"));
                        };
                        return Ok((entries, d));
                    }
                    let first = lex.unsigned()?;
                    let count = lex.unsigned()?;
                    for k in 0..count {
                        let at = lex.unsigned()?;
                        let generation = lex.unsigned()?;
                        let kind = lex.word()?;
                        if kind == b"n" && at > 0 {
                            entries.push((first + k, generation as u16, at));
                        }
                    }
                }
            })?;
            for (id, generation, at) in entries {
                self.xref
                    .entry(id as u32)
                    .or_insert((generation, Entry::At(at)));
            }
            return Ok(trailer);
        }
        let (_, object) = self.indirect_at(offset, 0)?;
        let Object::Stream(stream) = object else {
            return Err(format!("no cross-reference at byte {offset}"));
        };
        let data = stream
            .decompressed_content_with_limit(64 << 20)
            .or_else(|_| {
                if stream.dict.get(b"Filter").is_err() {
                    Ok(stream.content.clone())
                } else {
                    Err(())
                }
            })
            .map_err(|_| "a damaged cross-reference stream".to_string())?;
        let widths: Vec<usize> = stream
            .dict
            .get(b"W")
            .and_then(Object::as_array)
            .map_err(|_| "a cross-reference stream without /W")?
            .iter()
            .map(|o| o.as_i64().unwrap_or(-1))
            .map(|w| if (0..=8).contains(&w) { w as usize } else { 99 })
            .collect();
        if widths.len() != 3 || widths.contains(&99) {
            return Err("a cross-reference stream with a bad /W".into());
        }
        let size = stream
            .dict
            .get(b"Size")
            .and_then(Object::as_i64)
            .unwrap_or(0);
        let index: Vec<i64> = match stream.dict.get(b"Index").and_then(Object::as_array) {
            Ok(a) => a.iter().filter_map(|o| o.as_i64().ok()).collect(),
            Err(_) => vec![0, size],
        };
        let row = widths.iter().sum::<usize>();
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |v, &b| (v << 8) | b as u64);
        let mut rows = data.chunks_exact(row.max(1));
        for pair in index.chunks_exact(2) {
            let (first, count) = (pair[0].max(0) as u64, pair[1].max(0) as u64);
            for k in 0..count {
                let Some(r) = rows.next() else { break };
                let (a, rest) = r.split_at(widths[0]);
                let (b, c) = rest.split_at(widths[1]);
                // A missing type field means type 1.
                let kind = if widths[0] == 0 { 1 } else { field(a) };
                let (b, c) = (field(b), field(c));
                let id = (first + k) as u32;
                let entry = match kind {
                    1 if b > 0 => (c as u16, Entry::At(b)),
                    2 => (
                        0,
                        Entry::InStream {
                            stream: b as u32,
                            index: c as usize,
                        },
                    ),
                    _ => continue,
                };
                self.xref.entry(id).or_insert(entry);
            }
        }
        Ok(stream.dict)
    }

    /// Object `id` (`depth` counts the `/Length` references followed on the way).
    fn object(&mut self, id: u32, depth: usize) -> Result<(ObjectId, Object), String> {
        let Some(&(generation, entry)) = self.xref.get(&id) else {
            return Ok(((id, 0), Object::Null));
        };
        match entry {
            Entry::At(offset) => {
                let (found, object) = self.indirect_at(offset, depth)?;
                if found.0 != id {
                    return Err(format!(
                        "the cross-reference says object {id} is at byte {offset}, but object {} is",
                        found.0
                    ));
                }
                Ok(((id, generation), object))
            }
            Entry::InStream { stream, index } => {
                if !self.object_streams.contains_key(&stream) {
                    let decoded = self.object_stream(stream, depth)?;
                    self.object_streams.insert(stream, decoded);
                }
                let (data, offsets) = &self.object_streams[&stream];
                let &(number, at) = offsets
                    .get(index)
                    .filter(|(n, _)| *n == id)
                    .or_else(|| offsets.iter().find(|(n, _)| *n == id))
                    .ok_or_else(|| format!("object {id} is not in object stream {stream}"))?;
                let mut lex = Lex::new(data.get(at..).unwrap_or_default(), true);
                let object = lex
                    .object(0)
                    .map_err(|_| format!("object {number} in object stream {stream} is damaged"))?;
                Ok(((id, 0), object))
            }
        }
    }

    /// An object stream's decoded bytes from `/First` on, and where each of its objects starts there.
    fn object_stream(&mut self, stream: u32, depth: usize) -> Result<ObjectStream, String> {
        if depth > 4 {
            return Err("object streams nested too deep".into());
        }
        let (_, object) = self.object(stream, depth + 1)?;
        let Object::Stream(s) = object else {
            return Err(format!("object stream {stream} is no stream"));
        };
        let data = s
            .decompressed_content_with_limit(256 << 20)
            .map_err(|e| format!("object stream {stream} is damaged ({e})"))?;
        let n = s
            .dict
            .get(b"N")
            .and_then(Object::as_i64)
            .unwrap_or(0)
            .max(0) as usize;
        let first = s
            .dict
            .get(b"First")
            .and_then(Object::as_i64)
            .unwrap_or(0)
            .max(0) as usize;
        let header = data.get(..first).unwrap_or(&data[..]);
        let mut lex = Lex::new(header, true);
        let mut offsets = Vec::with_capacity(n);
        for _ in 0..n {
            let (Ok(number), Ok(at)) = (lex.unsigned(), lex.unsigned()) else {
                break;
            };
            offsets.push((number as u32, at as usize));
        }
        Ok((data.get(first..).unwrap_or_default().to_vec(), offsets))
    }

    /// The indirect object at `offset`; a stream's bytes are read unless it is an image or very long.
    fn indirect_at(&mut self, offset: u64, depth: usize) -> Result<(ObjectId, Object), String> {
        let (id, object, data_at) = self.file.parse_at(offset, |lex| {
            let number = lex.unsigned()?;
            let generation = lex.unsigned()?;
            lex.expect_keyword(b"obj")?;
            let object = lex.object(0)?;
            let data_at = if lex.keyword_is(b"stream") {
                lex.expect_keyword(b"stream")?;
                // The keyword ends with CR LF or LF (a lone CR is taken too).
                match lex.peek()? {
                    b'\r' => {
                        lex.pos += 1;
                        if lex.peek().ok() == Some(b'\n') {
                            lex.pos += 1;
                        }
                    }
                    b'\n' => lex.pos += 1,
                    _ => {}
                }
                Some(lex.pos as u64)
            } else {
                None
            };
            Ok(((number as u32, generation as u16), object, data_at))
        })?;
        let Some(data_at) = data_at else {
            return Ok((id, object));
        };
        let Object::Dictionary(mut dict) = object else {
            return Err(format!("a stream without a dictionary at byte {offset}"));
        };
        let length = match dict.get(b"Length") {
            Ok(Object::Integer(n)) => *n,
            Ok(Object::Reference(r)) if depth < 4 => match self.object(r.0, depth + 1)?.1 {
                Object::Integer(n) => n,
                _ => -1,
            },
            _ => -1,
        };
        if length < 0 {
            return Err(format!(
                "a stream without a usable /Length at byte {offset}"
            ));
        }
        let length = length as u64;
        let data_at = offset + data_at;
        if data_at + length > self.file.len {
            return Err(format!(
                "a stream runs past the end of the file at byte {offset}"
            ));
        }
        // The data ends where the length says (lopdf asks the same): a wrong length is no guess.
        let after = self.file.read_at(data_at + length, 16)?;
        let lex = Lex::new(&after, true);
        if !lex.keyword_is(b"endstream") {
            return Err(format!(
                "a stream's /Length misses its end at byte {offset}"
            ));
        }
        dict.set("Length", length as i64);
        let image = matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Image");
        if image || length > KEPT_STREAM_LIMIT {
            return Ok((
                id,
                Object::Stream(Stream::with_position(dict, data_at as usize)),
            ));
        }
        let content = self.file.read_at(data_at, length)?;
        let mut stream = Stream::new(dict, content);
        stream.start_position = Some(data_at as usize);
        Ok((id, Object::Stream(stream)))
    }
}

/// Why a parse stopped: the window ended (read more) or the bytes are no PDF.
#[derive(Debug)]
enum Fail {
    More,
    Bad(&'static str),
}

/// PDF's object syntax over a window of the file; `complete` says the window reaches the file's end.
struct Lex<'a> {
    b: &'a [u8],
    pos: usize,
    complete: bool,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delimiter(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Lex<'a> {
    fn new(b: &'a [u8], complete: bool) -> Self {
        Lex {
            b,
            pos: 0,
            complete,
        }
    }

    fn end(&self) -> Fail {
        if self.complete {
            Fail::Bad("the object is cut short")
        } else {
            Fail::More
        }
    }

    fn peek(&self) -> Result<u8, Fail> {
        self.b.get(self.pos).copied().ok_or_else(|| self.end())
    }

    fn skip_space(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if is_space(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self
                    .b
                    .get(self.pos)
                    .is_some_and(|&c| c != b'\n' && c != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A run of regular characters (a number or keyword); running into the window's end asks for more.
    fn word(&mut self) -> Result<&'a [u8], Fail> {
        self.skip_space();
        let start = self.pos;
        while let Some(&c) = self.b.get(self.pos) {
            if is_space(c) || is_delimiter(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == self.b.len() && !self.complete {
            return Err(Fail::More);
        }
        if self.pos == start {
            return Err(if self.pos == self.b.len() {
                self.end()
            } else {
                Fail::Bad("a word was expected")
            });
        }
        Ok(&self.b[start..self.pos])
    }

    fn unsigned(&mut self) -> Result<u64, Fail> {
        let w = self.word()?;
        std::str::from_utf8(w)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(Fail::Bad("a number was expected"))
    }

    /// Whether the next word is `keyword` (nothing is consumed).
    fn keyword_is(&self, keyword: &[u8]) -> bool {
        let mut probe = Lex {
            b: self.b,
            pos: self.pos,
            complete: true,
        };
        probe.word().is_ok_and(|w| w == keyword)
    }

    fn expect_keyword(&mut self, keyword: &[u8]) -> Result<(), Fail> {
        if self.word()? == keyword {
            Ok(())
        } else {
            Err(Fail::Bad("an unexpected keyword"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Object, Fail> {
        if depth > 64 {
            return Err(Fail::Bad("objects nested too deep"));
        }
        self.skip_space();
        match self.peek()? {
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Dictionary::new();
                loop {
                    self.skip_space();
                    if self.peek()? == b'>' {
                        if self.b.get(self.pos + 1).is_none() {
                            return Err(self.end());
                        }
                        self.pos += 2;
                        return Ok(Object::Dictionary(dict));
                    }
                    let Object::Name(key) = self.object(depth + 1)? else {
                        return Err(Fail::Bad("a dictionary key is no name"));
                    };
                    let value = self.object(depth + 1)?;
                    dict.set(key, value);
                }
            }
            b'<' => {
                self.pos += 1;
                let mut digits = Vec::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    match c {
                        b'>' => break,
                        c if c.is_ascii_hexdigit() => digits.push(hex_value(c)),
                        c if is_space(c) => {}
                        _ => return Err(Fail::Bad("a bad hex string")),
                    }
                }
                if digits.len() % 2 == 1 {
                    digits.push(0);
                }
                let bytes = digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
                Ok(Object::String(bytes, StringFormat::Hexadecimal))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.peek()? == b']' {
                        self.pos += 1;
                        return Ok(Object::Array(items));
                    }
                    items.push(self.object(depth + 1)?);
                }
            }
            b'(' => self.literal_string(),
            b'/' => {
                self.pos += 1;
                let start = self.pos;
                while let Some(&c) = self.b.get(self.pos) {
                    if is_space(c) || is_delimiter(c) {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == self.b.len() && !self.complete {
                    return Err(Fail::More);
                }
                let raw = &self.b[start..self.pos];
                let mut name = Vec::with_capacity(raw.len());
                let mut i = 0;
                while i < raw.len() {
                    if raw[i] == b'#'
                        && i + 2 < raw.len()
                        && raw[i + 1].is_ascii_hexdigit()
                        && raw[i + 2].is_ascii_hexdigit()
                    {
                        name.push((hex_value(raw[i + 1]) << 4) | hex_value(raw[i + 2]));
                        i += 3;
                    } else {
                        name.push(raw[i]);
                        i += 1;
                    }
                }
                Ok(Object::Name(name))
            }
            b'>' | b']' | b')' | b'{' | b'}' => Err(Fail::Bad("an unexpected delimiter")),
            _ => {
                let w = self.word()?;
                match w {
                    b"true" => return Ok(Object::Boolean(true)),
                    b"false" => return Ok(Object::Boolean(false)),
                    b"null" => return Ok(Object::Null),
                    _ => {}
                }
                let text = std::str::from_utf8(w).map_err(|_| Fail::Bad("a bad number"))?;
                if let Ok(n) = text.parse::<i64>() {
                    // `n g R` is a reference.
                    if n >= 0 {
                        let save = self.pos;
                        if let Some(r) = self.reference_rest(n)? {
                            return Ok(r);
                        }
                        self.pos = save;
                    }
                    return Ok(Object::Integer(n));
                }
                // Reals; a sign doubled (`--5`) is read as some writers mean it.
                let text = text.trim_start_matches(['+', '-']);
                let negative = w.first() == Some(&b'-');
                let v: f32 = if text.starts_with('.') || text.ends_with('.') {
                    format!("0{text}0").parse()
                } else {
                    text.parse()
                }
                .map_err(|_| Fail::Bad("a bad number or keyword"))?;
                Ok(Object::Real(if negative { -v } else { v }))
            }
        }
    }

    /// After a non-negative integer: `g R` makes it a reference; `None` when it is just a number.
    fn reference_rest(&mut self, number: i64) -> Result<Option<Object>, Fail> {
        self.skip_space();
        let Some(&c) = self.b.get(self.pos) else {
            return if self.complete {
                Ok(None)
            } else {
                Err(Fail::More)
            };
        };
        if !c.is_ascii_digit() {
            return Ok(None);
        }
        let w = self.word()?;
        let Ok(generation) = std::str::from_utf8(w).unwrap_or("x").parse::<u16>() else {
            return Ok(None);
        };
        self.skip_space();
        let Some(&c) = self.b.get(self.pos) else {
            return if self.complete {
                Ok(None)
            } else {
                Err(Fail::More)
            };
        };
        if c != b'R' {
            return Ok(None);
        }
        match self.b.get(self.pos + 1) {
            None if !self.complete => Err(Fail::More),
            Some(&n) if !(is_space(n) || is_delimiter(n)) => Ok(None),
            _ => {
                self.pos += 1;
                Ok(Some(Object::Reference((number as u32, generation))))
            }
        }
    }

    fn literal_string(&mut self) -> Result<Object, Fail> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut nesting = 0usize;
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'(' => {
                    nesting += 1;
                    out.push(c);
                }
                b')' if nesting == 0 => return Ok(Object::String(out, StringFormat::Literal)),
                b')' => {
                    nesting -= 1;
                    out.push(c);
                }
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.b.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.b.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Object {
        Lex::new(text, true).object(0).unwrap()
    }

    #[test]
    fn objects_parse_as_lopdf_has_them() {
        let dict = parse(b"<< /Type /XObject /W [1 2.5 -.5 3 0 R] /S (a\\(b\\)\\101\\\nc) /H <4142 3> /N#20x null /T true >>");
        let d = dict.as_dict().unwrap();
        assert_eq!(d.get(b"Type").unwrap().as_name().unwrap(), b"XObject");
        let w = d.get(b"W").unwrap().as_array().unwrap();
        assert_eq!(w[0], Object::Integer(1));
        assert_eq!(w[1], Object::Real(2.5));
        assert_eq!(w[2], Object::Real(-0.5));
        assert_eq!(w[3], Object::Reference((3, 0)));
        assert_eq!(
            d.get(b"S").unwrap(),
            &Object::String(b"a(b)Ac".to_vec(), StringFormat::Literal)
        );
        assert_eq!(
            d.get(b"H").unwrap(),
            &Object::String(b"AB0".to_vec(), StringFormat::Hexadecimal)
        );
        assert_eq!(d.get(b"N x").unwrap(), &Object::Null);
        assert_eq!(d.get(b"T").unwrap(), &Object::Boolean(true));
        // Two numbers that are not a reference stay numbers.
        assert_eq!(
            parse(b"[1 2 3]"),
            Object::Array(vec![
                Object::Integer(1),
                Object::Integer(2),
                Object::Integer(3)
            ])
        );
    }

    #[test]
    fn a_cut_window_asks_for_more_and_bad_bytes_are_refused() {
        for cut in [&b"<< /A [1 2"[..], b"<< /Length 12", b"(abc", b"3 0"] {
            assert!(
                matches!(Lex::new(cut, false).object(0), Err(Fail::More)),
                "{cut:?}"
            );
            assert!(
                !matches!(Lex::new(cut, true).object(0), Err(Fail::More)),
                "{cut:?}"
            );
        }
        assert!(matches!(
            Lex::new(b"<< 1 2 >>", true).object(0),
            Err(Fail::Bad(_))
        ));
        assert!(matches!(Lex::new(b"]", true).object(0), Err(Fail::Bad(_))));
    }
}
