"""Grey pages for the scan benches: read a binary PGM (what `pdftoppm -gray` writes) into rows, write rows
as an 8-bit grey PNG — the standard library only, so the benches need no imaging package."""
import struct
import zlib


def read_pgm(path):
    data = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # P5, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    return width, height, [bytearray(pixels[y * width:(y + 1) * width]) for y in range(height)]


def write_png(path, width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
