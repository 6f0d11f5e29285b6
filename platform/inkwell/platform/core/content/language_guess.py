"""Which language a snippet is in, when its author did not say.

Pygments' `guess_lexer` asks each of its ~600 lexers how sure it is, and most
of them cannot say (Rust's only knows a shebang), so short snippets go to
whichever odd lexer claims a little: Rust came out as "CSS+Lasso". Instead: a
file name in the title (`main.rs`) decides; text that parses as JSON is JSON;
otherwise the common languages below are scored on marks their code rarely
lacks and others rarely have (each mark counts once, weighted; a shebang as
Pygments reads it counts too), and the best one wins if it reached `ENOUGH`.
Below that, Pygments' own guess only when it is sure, else plain text:
unhighlighted code beats code coloured as another language. Only the first
`SAMPLE` characters are scored, so no paste can make the guess slow.
"""

import json
import re
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, guess_lexer
from pygments.util import ClassNotFound

ENOUGH = 3
SAMPLE = 10_000  # characters scored: enough to tell
SURE = 0.5  # Pygments' own confidence (0 to 1) that its guess may stand
PLAIN = "text"

LINES = re.MULTILINE
ANY_CASE = re.IGNORECASE | re.MULTILINE
Marks = tuple[tuple[str, int, int], ...]  # (pattern, weight, flags)

JAVASCRIPT: Marks = (
    (r"\b(const|var)\s+\w+\s*=", 2, 0),
    (r"\bfunction\b", 3, 0),
    (r"\bconsole\.\w+\(", 3, 0),
    (r"\b(document|window)\.\w+", 2, 0),
    (r"\brequire\(['\"]", 3, 0),
    (r"\bexport\s+(default|const|function|class)\b", 2, 0),
    (r"===|!==", 2, 0),
    (r"=>", 1, 0),
    (r"^import\s+.+\s+from\s+['\"]", 3, LINES),
)
C: Marks = (
    (r"^#include\s*<\w+\.h>", 4, LINES),
    (r"\bprintf\s*\(", 2, 0),
    (r"\bint\s+main\s*\(", 2, 0),
    (r"\b(malloc|free|sizeof)\s*\(", 2, 0),
    (r"\bNULL\b", 2, 0),
    (r"^#(define|ifndef|endif)\b", 3, LINES),
    (r"\b(unsigned|char|void)\s*\*+\s*\w+", 2, 0),
)
# Each language's marks; a language listed with a parent has the parent's too, so
# TypeScript outscores JavaScript exactly when it shows types (and C++ C).
LANGUAGES: dict[str, tuple[str | None, Marks]] = {
    "rust": (
        None,
        (
            (r"\bfn\s+\w+\s*(<[^>]*>)?\s*\(", 4, 0),
            (r"\blet\s+mut\b", 3, 0),
            (r"\buse\s+\w+(::\w+)+", 3, 0),
            (r"\bimpl\b", 2, 0),
            (r"\b\w+!\(", 2, 0),
            (r"&mut\b|&self\b|\bpub\s+(fn|struct|enum|mod)\b", 3, 0),
            (r"\bmatch\s+[\w.]+\s*\{", 2, 0),
            (r"\b(Option|Result|Vec|Some|None|Ok|Err)\b[<(]", 2, 0),
        ),
    ),
    "go": (
        None,
        (
            (r"^package\s+\w+\s*$", 4, LINES),
            (r"\bfunc\s+(\(\w+\s+\*?\w+\)\s*)?\w+\s*\(", 4, 0),
            (r":=", 2, 0),
            (r"\bfmt\.\w+", 3, 0),
            (r"^import\s+\(", 3, LINES),
            (r"\berr\s*!=\s*nil\b", 4, 0),
            (r"\bgo\s+func\b|\bchan\s+\w+|\bdefer\s+\w+", 2, 0),
        ),
    ),
    "python": (
        None,
        (
            (r"^\s*def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*$", 4, LINES),
            (r"^from\s+[\w.]+\s+import\s+", 4, LINES),
            (r"^import\s+[\w.]+(\s+as\s+\w+)?\s*$", 2, LINES),
            (r"^\s*class\s+\w+(\(.*\))?:\s*$", 3, LINES),
            (r"^\s*(if|elif|for|while|with|try|except|else)\b.*:\s*$", 2, LINES),
            (r"\belif\b", 3, 0),
            (r"\bself\.\w+", 1, 0),
            (r"\b(None|True|False)\b", 1, 0),
            (r"\bprint\(", 1, 0),
            (r"__\w+__", 2, 0),
        ),
    ),
    "javascript": (None, JAVASCRIPT),
    "typescript": (
        "javascript",
        (
            (r":\s*(string|number|boolean|any|void|unknown|never)\b", 4, 0),
            (r"^\s*(export\s+)?(interface|type)\s+\w+", 3, LINES),
            (r"\b(const|let)\s+\w+\s*:\s*\w+", 3, 0),
            (r"\b(public|private|readonly)\s+\w+\s*:", 2, 0),
        ),
    ),
    "c": (None, C),
    "cpp": (
        "c",
        (
            (r"^#include\s*<\w+>", 4, LINES),
            (r"\bstd::", 4, 0),
            (r"\b(cout|cerr)\s*<<", 3, 0),
            (r"\bnamespace\s+\w+|\btemplate\s*<", 3, 0),
            (r"^\s*(public|private|protected):", 3, LINES),
            (r"\bauto\s+[&*]?\w+\s*[=:]", 2, 0),
        ),
    ),
    "java": (
        None,
        (
            (r"\bpublic\s+(static\s+)?(final\s+)?(class|interface|enum|void)\b", 4, 0),
            (r"\bSystem\.(out|err)\.print", 4, 0),
            (r"^import\s+java\.|^package\s+[\w.]+;", 4, LINES),
            (r"\b(private|protected)\s+(static\s+)?(final\s+)?\w+(<[^>]*>)?\s+\w+\s*[;=]", 2, 0),
            (r"@Override\b", 3, 0),
            (r"String\[\]\s+\w+", 3, 0),
        ),
    ),
    "ruby": (
        None,
        (
            (r"^\s*def\s+[\w.]+[?!]?(\(.*\))?\s*$", 3, LINES),
            (r"^\s*end\s*$", 3, LINES),
            (r"\bputs\b", 3, 0),
            (r"\battr_(accessor|reader|writer)\b", 4, 0),
            (r"^\s*require\s+['\"]", 3, LINES),
            (r"\bdo\s*(\|[^|]*\|)?\s*$", 3, LINES),
            (r"#\{", 3, 0),
            (r"\belsif\b", 4, 0),
            (r"\.each\b", 2, 0),
        ),
    ),
    "bash": (
        None,
        (
            (r"^\s*(export|echo|cd|sudo|apt(-get)?|curl|wget|mkdir|chmod|git|npm|pip)\s", 3, LINES),
            (r"^\s*if\s+\[|^\s*(then|fi|done|esac)\s*$", 3, LINES),
            (r"\$\{\w+|\$\(", 2, 0),
            (r"\s(\||&&)\s|>\s*/dev/null|2>&1", 2, 0),
        ),
    ),
    "sql": (
        None,
        (
            (r"\bselect\b[\s\S]{1,1000}?\bfrom\b", 4, ANY_CASE),
            (r"\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b", 4, ANY_CASE),
            (r"\b(create|alter|drop)\s+(table|index|view)\b", 5, ANY_CASE),
            (r"\bwhere\b", 1, ANY_CASE),
            (r"\b(group|order)\s+by\b", 2, ANY_CASE),
            (r"\bjoin\b[\s\S]{1,300}?\bon\b", 2, ANY_CASE),
            (r"\bvarchar\b|\bprimary\s+key\b", 3, ANY_CASE),
        ),
    ),
    "html": (
        None,
        (
            (r"<!doctype\s+html", 6, ANY_CASE),
            (r"<html\b", 4, ANY_CASE),
            (r"</(div|span|p|a|ul|ol|li|head|body|section|table|h[1-6])>", 3, ANY_CASE),
            (r"<(meta|link|img|br|input)\b[^>]*>", 2, ANY_CASE),
        ),
    ),
    "css": (
        None,
        (
            (r"^\s*[\w-]+\s*:\s*[^;{}]+;\s*$", 2, LINES),
            (r"@(media|import|keyframes|font-face)\b", 4, 0),
            (r"\b\d+(px|em|rem|vh|vw)\b", 3, 0),
            (r"#[0-9a-fA-F]{3,6}\b", 2, 0),
            (r"!important", 3, 0),
            (r"^\s*(color|margin|padding|font-size|display|background)\s*:", 3, LINES),
            # Separators and names share no character: no backtracking on long lines.
            (r"^[ \t]*[.#]?[\w-]+([ ,>+~]+[.#:]?[\w-]+)*[ \t]*\{[ \t]*$", 1, LINES),
        ),
    ),
    "yaml": (
        None,
        (
            (r"^---\s*$", 2, LINES),
            (r"^\s*[\w-]+:\s*$", 1, LINES),
            (r"^\s*[\w-]+:\s+[^{};]+$", 2, LINES),
            (r"^\s*-\s+[\w\"']", 2, LINES),
        ),
    ),
    "json": (None, ((r"^\s*\"[^\"]+\"\s*:", 2, LINES),)),
}


def guess_language(code: str, title: str = "") -> Lexer:
    """The lexer for `code`, given a snippet titled `title`; plain text if unsure."""
    named = _from_file_name(title)
    if named is not None:
        return named
    if _is_json(code):  # all of it: parsing is quick, and a part would not parse
        return get_lexer_by_name("json")
    code = code[:SAMPLE]
    scores = {name: _score(name, code) for name in LANGUAGES}
    best = max(scores, key=lambda name: scores[name])  # ties: the first listed
    if scores[best] >= ENOUGH:
        return get_lexer_by_name(best)
    fallback = guess_lexer(code)
    return fallback if fallback.analyse_text(code) >= SURE else get_lexer_by_name(PLAIN)


def _from_file_name(title: str) -> Lexer | None:
    for word in re.findall(r"[\w.-]+\.[A-Za-z0-9+]+\b", title):
        try:
            return get_lexer_for_filename(word)
        except ClassNotFound:
            continue
    return None


def _score(name: str, code: str) -> float:
    parent, _marks = LANGUAGES[name]
    score = sum(weight for pattern, weight in _compiled(name) if pattern.search(code))
    score += 5 * get_lexer_by_name(name).analyse_text(code)  # a shebang, say
    return score + (_score(parent, code) if parent else 0)


@cache
def _compiled(name: str) -> tuple[tuple[re.Pattern[str], int], ...]:
    return tuple((re.compile(p, flags), weight) for p, weight, flags in LANGUAGES[name][1])


def _is_json(code: str) -> bool:
    text = code.strip()
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
