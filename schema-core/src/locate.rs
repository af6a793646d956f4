//! Source positions for JSON pointers. Instead of keeping a span for every node of a (possibly
//! 50 MB) schema, the locator walks the text along one pointer on demand, skipping the values
//! it does not need: a lookup costs one pass over at most the document, and nothing when unused.

/// Finds the line and column of the value a pointer names in a JSON text.
#[derive(Debug)]
pub struct Locator {
    text: String,
}

impl Locator {
    pub fn new(text: &str) -> Locator {
        Locator {
            text: text.to_string(),
        }
    }

    /// 1-based line and column (in characters) of the value at `ptr`, or of the deepest prefix
    /// of `ptr` that exists. For an object member the position is that of its key.
    pub fn position(&self, ptr: &str) -> Option<(usize, usize)> {
        let offset = self.offset(ptr)?;
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        Some((line, column))
    }

    /// Offsets of many pointers in one pass over the text (a report with many changes would
    /// otherwise scan the document once per change). Pointers that do not resolve are absent.
    pub fn offsets(
        &self,
        wanted: &std::collections::HashSet<&str>,
    ) -> std::collections::HashMap<String, usize> {
        let mut found = std::collections::HashMap::new();
        let mut s = Scanner {
            b: self.text.as_bytes(),
            pos: 0,
        };
        s.ws();
        // Iterative walk: (pointer of the container, next array index or None for objects).
        let mut path = String::new();
        let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
        if wanted.contains("") {
            found.insert(String::new(), s.pos);
        }
        let mut expect_value = true;
        loop {
            s.ws();
            let Some(c) = s.peek() else { break };
            if expect_value {
                match c {
                    b'{' => {
                        s.pos += 1;
                        stack.push((path.len(), None));
                        expect_value = false;
                        continue;
                    }
                    b'[' => {
                        s.pos += 1;
                        stack.push((path.len(), Some(0)));
                        s.ws();
                        if s.peek() == Some(b']') {
                            expect_value = false;
                            continue;
                        }
                        path.push_str("/0");
                        if wanted.contains(path.as_str()) {
                            found.insert(path.clone(), s.pos);
                        }
                        continue;
                    }
                    b'"' => {
                        if s.string().is_none() {
                            break;
                        }
                    }
                    _ => {
                        if s.skip_value().is_none() {
                            break;
                        }
                    }
                }
                expect_value = false;
                continue;
            }
            // After a value or at the start of an object: a separator, a key or a closer.
            match c {
                b',' => {
                    s.pos += 1;
                    let Some(&mut (base, ref mut index)) = stack.last_mut() else {
                        break;
                    };
                    path.truncate(base);
                    if let Some(i) = index {
                        *i += 1;
                        path.push('/');
                        path.push_str(&i.to_string());
                        s.ws();
                        if wanted.contains(path.as_str()) {
                            found.insert(path.clone(), s.pos);
                        }
                        expect_value = true;
                    }
                }
                b'"' => {
                    let Some(key) = s.string() else { break };
                    s.ws();
                    if s.expect(b':').is_none() {
                        break;
                    }
                    s.ws();
                    let Some(&(base, _)) = stack.last() else {
                        break;
                    };
                    path.truncate(base);
                    path.push('/');
                    path.push_str(&crate::pointer::escape(&key));
                    if wanted.contains(path.as_str()) {
                        found.insert(path.clone(), s.pos);
                    }
                    expect_value = true;
                }
                b'}' | b']' => {
                    s.pos += 1;
                    let Some((base, _)) = stack.pop() else { break };
                    path.truncate(base);
                    if stack.is_empty() {
                        break;
                    }
                }
                _ => break,
            }
        }
        found
    }

    /// Byte offset of the value (or member key) at `ptr`.
    pub fn offset(&self, ptr: &str) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut s = Scanner { b, pos: 0 };
        s.ws();
        let mut at = s.pos;
        for token in crate::pointer::tokens(ptr) {
            s.pos = at;
            match s.peek()? {
                b'{' => {
                    s.pos += 1;
                    let mut found = None;
                    loop {
                        s.ws();
                        if s.peek()? == b'}' {
                            break;
                        }
                        let key_at = s.pos;
                        let key = s.string()?;
                        s.ws();
                        s.expect(b':')?;
                        s.ws();
                        if key == token {
                            found = Some((key_at, s.pos));
                            break;
                        }
                        s.skip_value()?;
                        s.ws();
                        if s.peek()? == b',' {
                            s.pos += 1;
                        }
                    }
                    match found {
                        Some((_, value_at)) => at = value_at,
                        None => return Some(at),
                    }
                }
                b'[' => {
                    let Ok(index) = token.parse::<usize>() else {
                        return Some(at);
                    };
                    s.pos += 1;
                    for _ in 0..index {
                        s.ws();
                        if s.peek()? == b']' {
                            return Some(at);
                        }
                        s.skip_value()?;
                        s.ws();
                        if s.peek()? == b',' {
                            s.pos += 1;
                        }
                    }
                    s.ws();
                    if s.peek()? == b']' {
                        return Some(at);
                    }
                    at = s.pos;
                }
                _ => return Some(at),
            }
        }
        Some(at)
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// Reads a string token and returns it unescaped.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.expect(b'"')?;
        let mut escaped = false;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                }
                b'"' => {
                    let raw = std::str::from_utf8(&self.b[start..self.pos]).ok()?;
                    return if escaped {
                        serde_json::from_str(raw).ok()
                    } else {
                        Some(raw[1..raw.len() - 1].to_string())
                    };
                }
                _ => {}
            }
        }
        None
    }

    /// Skips one value without recursion (depth is counted, strings are respected).
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' | b' ' | b'\n' | b'\r' | b'\t' if depth > 0 => self.pos += 1,
                _ => {
                    // A scalar: run to the next delimiter.
                    while let Some(c) = self.peek() {
                        if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": {\"e\": true}\n}";
        let l = Locator::new(text);
        assert_eq!(l.position(""), Some((1, 1)));
        assert_eq!(l.position("/a"), Some((2, 8)));
        assert_eq!(l.position("/a/1/b"), Some((2, 18)));
        assert_eq!(l.position("/c~1d/e"), Some((3, 16)));
        // a missing member falls back to the deepest existing prefix
        assert_eq!(l.position("/c~1d/zzz"), Some((3, 10)));
    }

    #[test]
    fn batch_offsets_agree_with_single_lookups() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}, []],\n  \"c/d\": {\"e\": true, \"f\": {}},\n  \"g\": \"}\"\n}";
        let l = Locator::new(text);
        let ptrs = [
            "", "/a", "/a/0", "/a/1", "/a/1/b", "/a/2", "/c~1d", "/c~1d/e", "/c~1d/f", "/g",
        ];
        let wanted: std::collections::HashSet<&str> = ptrs.iter().copied().collect();
        let batch = l.offsets(&wanted);
        for p in ptrs {
            assert_eq!(batch.get(p).copied(), l.offset(p), "{p}");
        }
    }
}
