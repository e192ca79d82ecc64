//! Puts the XML parts docx-rs writes into the order ECMA-376 prescribes: the children of every property
//! container (`pPr`, `rPr`, `sectPr`, `tblPr`, `trPr`, `tcPr`, borders and margins, numbering levels,
//! styles, settings) sorted into their schema sequence, and attributes the schema does not declare dropped.
//!
//! docx-rs 0.4.22 writes its children in an order of its own (a paragraph's `rPr` first, `rFonts` after
//! `b` and `sz`, `footerReference` after `pgMar`...), and Word drops run properties out of sequence — the
//! teacher's red and the East Asian fonts would be lost. Sorting the finished XML by tables taken from the
//! schema keeps the order right by construction whatever docx-rs writes and whatever we ask of it, where
//! fixing each builder call would not; everything else is copied byte for byte from docx-rs's text, and a
//! stable sort of the same input gives the same output.

use std::collections::HashMap;
use std::sync::LazyLock;

use roxmltree::{Node, NodeType};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The prefixes the sequence tables use.
#[rustfmt::skip]
const PREFIXES: &[(&str, &str)] = &[
    ("w", W),
    ("w14", "http://schemas.microsoft.com/office/word/2010/wordml"),
    ("w15", "http://schemas.microsoft.com/office/word/2012/wordml"),
    ("m", "http://schemas.openxmlformats.org/officeDocument/2006/math"),
    ("sl", "http://schemas.openxmlformats.org/schemaLibrary/2006/main"),
];

// The sequences below are the Open XML SDK's schema (ECMA-376 transitional with Office's extensions)
// flattened: one entry per position, names that share an entry are a choice and keep their own order.

/// CT_PPr.
#[rustfmt::skip]
const P_PR: &[&str] = &[
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
];
/// CT_ParaRPr; CT_RPr and the default run properties are the same sequence without its first entries.
#[rustfmt::skip]
const R_PR: &[&str] = &[
    "w:ins", "w:del", "w:moveFrom", "w:moveTo", "w14:conflictIns w14:conflictDel", "w:rStyle",
    "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish",
    "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
    "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w14:glow", "w14:shadow",
    "w14:reflection", "w14:textOutline", "w14:textFill", "w14:scene3d", "w14:props3d",
    "w14:ligatures", "w14:numForm", "w14:numSpacing", "w14:stylisticSets", "w14:cntxtAlts",
    "w:oMath", "w:rPrChange",
];
/// CT_SectPr.
#[rustfmt::skip]
const SECT_PR: &[&str] = &[
    "w:headerReference w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
    "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
    "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
    "w:printerSettings", "w15:footnoteColumns", "w:sectPrChange",
];
/// CT_TblPr.
#[rustfmt::skip]
const TBL_PR: &[&str] = &[
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    "w:tblPrChange",
];
/// CT_TrPr: its properties are a choice in any order, the revision marks after them.
#[rustfmt::skip]
const TR_PR: &[&str] = &[
    "w:cnfStyle w:divId w:gridBefore w:gridAfter w:wBefore w:wAfter w:trHeight w:hidden \
     w:cantSplit w:tblHeader w:tblCellSpacing w:jc",
    "w:ins", "w:del", "w:trPrChange", "w14:conflictIns w14:conflictDel",
];
/// CT_TcPr.
#[rustfmt::skip]
const TC_PR: &[&str] = &[
    "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
    "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
    "w:cellIns w:cellDel w:cellMerge", "w:tcPrChange",
];
/// CT_TcBorders; CT_TblBorders, CT_TblCellMar and CT_TcMar are the same sequence cut short.
#[rustfmt::skip]
const BORDERS: &[&str] = &[
    "w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV",
    "w:tl2br", "w:tr2bl",
];
/// CT_PBdr.
#[rustfmt::skip]
const P_BDR: &[&str] = &[
    "w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar",
];
/// CT_Style.
#[rustfmt::skip]
const STYLE: &[&str] = &[
    "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
    "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
    "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr",
    "w:tcPr", "w:tblStylePr",
];
/// CT_Styles and CT_DocDefaults.
const STYLES: &[&str] = &["w:docDefaults", "w:latentStyles", "w:style"];
const DOC_DEFAULTS: &[&str] = &["w:rPrDefault", "w:pPrDefault"];
/// CT_Numbering, CT_AbstractNum and CT_Lvl.
#[rustfmt::skip]
const NUMBERING: &[&str] = &[
    "w:numPicBullet", "w:abstractNum", "w:num", "w:numIdMacAtCleanup",
];
#[rustfmt::skip]
const ABSTRACT_NUM: &[&str] = &[
    "w:nsid", "w:multiLevelType", "w:tmpl", "w:name", "w:styleLink", "w:numStyleLink", "w:lvl",
];
#[rustfmt::skip]
const LVL: &[&str] = &[
    "w:start", "w:numFmt", "w:lvlRestart", "w:pStyle", "w:isLgl", "w:suff", "w:lvlText",
    "w:lvlPicBulletId", "w:legacy", "w:lvlJc", "w:pPr", "w:rPr",
];
/// CT_Settings.
#[rustfmt::skip]
const SETTINGS: &[&str] = &[
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
    "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
    "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
    "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
    "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
    "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
    "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
    "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
    "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
    "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
    "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
    "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
    "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
    "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
    "w:rsids", "m:mathPr", "w:uiCompat97To2003", "w:attachedSchema", "w:themeFontLang",
    "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
    "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "sl:schemaLibrary", "w:shapeDefaults",
    "w:decimalSymbol", "w:listSeparator", "w14:docId", "w14:discardImageEditingData",
    "w14:defaultImageDpi", "w14:conflictMode", "w15:chartTrackingRefBased", "w15:docId",
];
/// The properties first in a paragraph, run, table, row and cell (CT_P, CT_R, CT_Tbl, CT_Row, CT_Tc);
/// the content after them keeps its order.
const P: &[&str] = &["w:pPr"];
const R: &[&str] = &["w:rPr"];
const TBL: &[&str] = &["w:tblPr", "w:tblGrid"];
const TR: &[&str] = &["w:tblPrEx", "w:trPr"];
const TC: &[&str] = &["w:tcPr"];

/// Each container (a WordprocessingML element by local name) and the sequence of its children.
const CONTAINERS: &[(&str, &[&str])] = &[
    ("pPr", P_PR),
    ("rPr", R_PR),
    ("sectPr", SECT_PR),
    ("tblPr", TBL_PR),
    ("trPr", TR_PR),
    ("tcPr", TC_PR),
    ("tblBorders", BORDERS),
    ("tcBorders", BORDERS),
    ("tblCellMar", BORDERS),
    ("tcMar", BORDERS),
    ("pBdr", P_BDR),
    ("style", STYLE),
    ("styles", STYLES),
    ("docDefaults", DOC_DEFAULTS),
    ("numbering", NUMBERING),
    ("abstractNum", ABSTRACT_NUM),
    ("lvl", LVL),
    ("settings", SETTINGS),
    ("p", P),
    ("r", R),
    ("tbl", TBL),
    ("tr", TR),
    ("tc", TC),
];

/// Attributes docx-rs writes that the schema does not declare: (element, attribute), both in the
/// WordprocessingML namespace. CT_TblGridCol has only `w:w`.
const UNDECLARED: &[(&str, &str)] = &[("gridCol", "type")];

/// Elements docx-rs writes where the schema has no place for them: a style's paragraph properties
/// (CT_PPrGeneral) hold no run properties for the paragraph mark — docx-rs writes an empty `w:rPr` there.
fn undeclared_child(node: Node) -> bool {
    let is = |n: Option<Node>, name: &str| n.is_some_and(|n| n.has_tag_name((W, name)));
    is(Some(node), "rPr")
        && is(node.parent(), "pPr")
        && is(node.parent().and_then(|p| p.parent()), "style")
}

/// (container, child's namespace, child's local name) → the child's place in the container's sequence.
type Ranks = HashMap<(&'static str, &'static str, &'static str), usize>;

static RANKS: LazyLock<Ranks> = LazyLock::new(|| {
    let mut ranks = HashMap::new();
    for (container, sequence) in CONTAINERS {
        for (rank, entry) in sequence.iter().enumerate() {
            for qname in entry.split_whitespace() {
                let (prefix, local) = qname.split_once(':').expect("prefixed name");
                let ns = PREFIXES
                    .iter()
                    .find(|(p, _)| *p == prefix)
                    .map(|(_, ns)| *ns)
                    .expect("known prefix");
                ranks.insert((*container, ns, local), rank);
            }
        }
    }
    ranks
});

fn is_container(node: Node) -> Option<&'static str> {
    if node.tag_name().namespace() != Some(W) {
        return None;
    }
    let local = node.tag_name().name();
    CONTAINERS
        .iter()
        .find(|(name, _)| *name == local)
        .map(|(name, _)| *name)
}

/// The part with every container's children in schema order and undeclared attributes dropped; the rest of
/// its text (declaration, namespaces, text, escapes) as it was. Err: the part is not well-formed XML.
pub fn canonical(xml: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(xml).map_err(|e| e.to_string())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..root.range().start]);
    write(root, text, &mut out);
    out.push_str(&text[root.range().end..]);
    Ok(out.into_bytes())
}

fn write(node: Node, src: &str, out: &mut String) {
    if node.node_type() != NodeType::Element {
        out.push_str(&src[node.range()]);
        return;
    }
    let range = node.range();
    let (Some(first), Some(last)) = (node.first_child(), node.last_child()) else {
        start_tag(node, src, range, out);
        return;
    };
    start_tag(node, src, range.start..first.range().start, out);
    let mut children: Vec<Node> = node.children().filter(|c| !undeclared_child(*c)).collect();
    if let Some(container) = is_container(node) {
        // Only element children are sorted: docx-rs writes no text between properties, and mixed content
        // is left as it is.
        if children.iter().all(Node::is_element) {
            children.sort_by_key(|c| {
                let name = c.tag_name();
                RANKS
                    .get(&(container, name.namespace().unwrap_or(""), name.name()))
                    .copied()
                    // Not in the schema's sequence: after everything that is, in its own order.
                    .unwrap_or(usize::MAX)
            });
        }
    }
    for child in children {
        write(child, src, out);
    }
    out.push_str(&src[last.range().end..range.end]);
}

/// The element's start tag (the whole element when it is empty), `tag` its text, without the attributes
/// the schema does not declare.
fn start_tag(node: Node, src: &str, tag: std::ops::Range<usize>, out: &mut String) {
    let dropped: Vec<std::ops::Range<usize>> = if node.tag_name().namespace() == Some(W) {
        let local = node.tag_name().name();
        node.attributes()
            .filter(|a| a.namespace() == Some(W) && UNDECLARED.contains(&(local, a.name())))
            .map(|a| a.range())
            .collect()
    } else {
        Vec::new()
    };
    let mut from = tag.start;
    for cut in dropped {
        // The attribute and the white space before it.
        let start = src[from..cut.start].trim_end().len() + from;
        out.push_str(&src[from..start]);
        from = cut.end;
    }
    out.push_str(&src[from..tag.end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(xml: &str) -> String {
        String::from_utf8(canonical(xml.as_bytes()).unwrap()).unwrap()
    }

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn paragraph_and_run_properties_come_in_schema_order() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:p><w:pPr><w:rPr><w:sz w:val="21" /></w:rPr><w:jc w:val="both" /><w:spacing w:line="315" /><w:keepLines /></w:pPr><w:r><w:rPr><w:sz w:val="21" /><w:b /><w:color w:val="C71414" /><w:rFonts w:eastAsia="Noto Sans CJK SC" /></w:rPr><w:t xml:space="preserve">答 &amp; 案</w:t></w:r></w:p></w:document>"#
        );
        let want = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:p><w:pPr><w:keepLines /><w:spacing w:line="315" /><w:jc w:val="both" /><w:rPr><w:sz w:val="21" /></w:rPr></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="Noto Sans CJK SC" /><w:b /><w:color w:val="C71414" /><w:sz w:val="21" /></w:rPr><w:t xml:space="preserve">答 &amp; 案</w:t></w:r></w:p></w:document>"#
        );
        assert_eq!(canon(&xml), want);
        // Already in order: unchanged.
        assert_eq!(canon(&want), want);
    }

    #[test]
    fn header_and_footer_references_lead_the_section_in_their_own_order() {
        let xml = format!(
            r#"<w:sectPr {NS}><w:pgSz w:w="1" /><w:footerReference w:id="f1" /><w:pgMar w:top="1" /><w:headerReference w:id="h1" /><w:footerReference w:id="f2" /><w:cols w:num="2" /></w:sectPr>"#
        );
        assert_eq!(
            canon(&xml),
            format!(
                r#"<w:sectPr {NS}><w:footerReference w:id="f1" /><w:headerReference w:id="h1" /><w:footerReference w:id="f2" /><w:pgSz w:w="1" /><w:pgMar w:top="1" /><w:cols w:num="2" /></w:sectPr>"#
            )
        );
    }

    #[test]
    fn undeclared_attributes_are_dropped_and_unknown_children_go_last() {
        let xml = format!(
            r#"<w:tbl {NS}><w:tblGrid><w:gridCol w:w="100" w:type="dxa" /></w:tblGrid><w:tblPr><w:tblLayout w:type="fixed" /><w:mystery /><w:tblW w:w="1" w:type="dxa" /></w:tblPr></w:tbl>"#
        );
        assert_eq!(
            canon(&xml),
            format!(
                r#"<w:tbl {NS}><w:tblPr><w:tblW w:w="1" w:type="dxa" /><w:tblLayout w:type="fixed" /><w:mystery /></w:tblPr><w:tblGrid><w:gridCol w:w="100" /></w:tblGrid></w:tbl>"#
            )
        );
    }

    #[test]
    fn a_styles_paragraph_properties_lose_the_run_properties_the_schema_has_no_place_for() {
        let xml = format!(
            r#"<w:styles {NS}><w:style w:styleId="Normal"><w:qFormat /><w:pPr><w:rPr /></w:pPr><w:rPr /><w:name w:val="Normal" /></w:style></w:styles>"#
        );
        assert_eq!(
            canon(&xml),
            format!(
                r#"<w:styles {NS}><w:style w:styleId="Normal"><w:name w:val="Normal" /><w:qFormat /><w:pPr></w:pPr><w:rPr /></w:style></w:styles>"#
            )
        );
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(canonical(b"<w:p><w:r></w:p>").is_err());
        assert!(canonical(&[0xFF, 0xFE]).is_err());
    }
}
