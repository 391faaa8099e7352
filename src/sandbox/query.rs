//! The list contract's query language, evaluated over JSON records: `where` (comparisons,
//! quoted strings and dates, numbers, booleans, AND/OR/parentheses, IN, IS NULL, IS NOT NULL, LIKE),
//! `order` (comma list, ASC|DESC, default descending) and `fields` (projection, with the
//! nested `lineItems(code,qty)` form). Field names match case-insensitively; an unknown field
//! or a bad clause is an error whose text becomes the 400 body.

use serde_json::{Map, Value};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Compare {
        field: String,
        op: CompareOp,
        value: Literal,
    },
    In {
        field: String,
        values: Vec<Literal>,
    },
    IsNull {
        field: String,
        negated: bool,
    },
    Like {
        field: String,
        pattern: String,
        negated: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Text(String),
    Number(f64),
    Op(CompareOp),
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => (tokens.push(Token::Open), i += 1).1,
            ')' => (tokens.push(Token::Close), i += 1).1,
            ',' => (tokens.push(Token::Comma), i += 1).1,
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("a quoted value is not closed".into()),
                        // Two quotes inside a quoted value stand for one.
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            (text.push('\''), i += 2).1
                        }
                        Some('\'') => break,
                        Some(&ch) => (text.push(ch), i += 1).1,
                    }
                }
                i += 1;
                tokens.push(Token::Text(text));
            }
            '=' => (tokens.push(Token::Op(CompareOp::Eq)), i += 1).1,
            '<' | '>' | '!' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('<', Some('>')) | ('!', Some('=')) => (CompareOp::Ne, 2),
                    ('<', Some('=')) => (CompareOp::Le, 2),
                    ('>', Some('=')) => (CompareOp::Ge, 2),
                    ('<', _) => (CompareOp::Lt, 1),
                    ('>', _) => (CompareOp::Gt, 1),
                    _ => return Err(format!("unexpected {c:?}")),
                };
                tokens.push(Token::Op(op));
                i += len;
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !"()=<>!,'".contains(chars[i])
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let is_number = word.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-')
                    && !word.contains(['T', ':'])
                    && word.matches('-').count() <= 1;
                match word.parse::<f64>() {
                    Ok(n) if is_number => tokens.push(Token::Number(n)),
                    // A bare ISO date (one public client sends them unquoted).
                    _ if word.starts_with(|ch: char| ch.is_ascii_digit()) => {
                        tokens.push(Token::Text(word))
                    }
                    _ => tokens.push(Token::Ident(word)),
                }
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    fields: &'a [&'a str],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Ident(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.and_expr()?;
        while self.keyword("OR") {
            left = Filter::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.term()?;
        while self.keyword("AND") {
            left = Filter::And(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Filter, String> {
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or_expr()?;
            return match self.next() {
                Some(Token::Close) => Ok(inner),
                _ => Err("a parenthesis is not closed".into()),
            };
        }
        let field = match self.next() {
            Some(Token::Ident(name)) => self.field(&name)?,
            other => {
                return Err(format!(
                    "expected a field name, found {}",
                    describe(other.as_ref())
                ));
            }
        };
        if self.keyword("IS") {
            let negated = self.keyword("NOT");
            if !self.keyword("NULL") {
                return Err("IS must be followed by NULL or NOT NULL".into());
            }
            return Ok(Filter::IsNull { field, negated });
        }
        let negated = self.keyword("NOT");
        if self.keyword("LIKE") {
            return match self.next() {
                Some(Token::Text(pattern)) => Ok(Filter::Like {
                    field,
                    pattern,
                    negated,
                }),
                _ => Err("LIKE takes a quoted pattern".into()),
            };
        }
        if negated {
            return Err("NOT must be followed by LIKE here".into());
        }
        if self.keyword("IN") {
            if self.next() != Some(Token::Open) {
                return Err("IN takes a list in parentheses".into());
            }
            let mut values = vec![self.literal()?];
            loop {
                match self.next() {
                    Some(Token::Comma) => values.push(self.literal()?),
                    Some(Token::Close) => break,
                    _ => return Err("the IN list is not closed".into()),
                }
            }
            return Ok(Filter::In { field, values });
        }
        match self.next() {
            Some(Token::Op(op)) => Ok(Filter::Compare {
                field,
                op,
                value: self.literal()?,
            }),
            other => Err(format!(
                "expected a comparison after {field}, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Literal::Text(t)),
            Some(Token::Number(n)) => Ok(Literal::Number(n)),
            Some(Token::Ident(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Ident(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            other => Err(format!(
                "expected a value, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn field(&self, name: &str) -> Result<String, String> {
        canonical_field(self.fields, name)
    }
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => "the end".into(),
        Some(Token::Ident(w)) => format!("'{w}'"),
        Some(Token::Text(t)) => format!("'{t}'"),
        Some(Token::Number(n)) => n.to_string(),
        Some(Token::Op(_)) => "an operator".into(),
        Some(Token::Open) => "'('".into(),
        Some(Token::Close) => "')'".into(),
        Some(Token::Comma) => "','".into(),
    }
}

/// The record's own spelling of a field named in any letter case, or an error if it has none.
fn canonical_field(fields: &[&str], name: &str) -> Result<String, String> {
    fields
        .iter()
        .find(|f| f.eq_ignore_ascii_case(name))
        .map(|f| (*f).to_owned())
        .ok_or_else(|| format!("unknown field '{name}'"))
}

/// Parses a `where` value against the fields a resource's records have.
pub fn parse_filter(input: &str, fields: &[&str]) -> Result<Filter, String> {
    let mut parser = Parser {
        tokens: tokenize(input)?,
        at: 0,
        fields,
    };
    let filter = parser.or_expr()?;
    match parser.peek() {
        None => Ok(filter),
        Some(token) => Err(format!(
            "unexpected {} in the where clause",
            describe(Some(token))
        )),
    }
}

impl Filter {
    /// Whether a record matches; `get` answers one field of the record by its canonical name.
    pub fn matches(&self, get: &dyn Fn(&str) -> Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(get) && b.matches(get),
            Filter::Or(a, b) => a.matches(get) || b.matches(get),
            Filter::Compare { field, op, value } => {
                let Some(ordering) = compare(&get(field), value) else {
                    return false;
                };
                match op {
                    CompareOp::Eq => ordering == Ordering::Equal,
                    CompareOp::Ne => ordering != Ordering::Equal,
                    CompareOp::Lt => ordering == Ordering::Less,
                    CompareOp::Le => ordering != Ordering::Greater,
                    CompareOp::Gt => ordering == Ordering::Greater,
                    CompareOp::Ge => ordering != Ordering::Less,
                }
            }
            Filter::In { field, values } => {
                let value = get(field);
                values
                    .iter()
                    .any(|v| compare(&value, v) == Some(Ordering::Equal))
            }
            Filter::IsNull { field, negated } => get(field).is_null() != *negated,
            Filter::Like {
                field,
                pattern,
                negated,
            } => match get(field) {
                Value::String(s) => like(&s.to_lowercase(), &pattern.to_lowercase()) != *negated,
                _ => false,
            },
        }
    }
}

/// SQL comparison of a record's value with a literal; `None` where SQL gives unknown (nulls,
/// mismatched types). Text compares case-insensitively, and as instants when both are dates.
fn compare(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::Number(n), Literal::Number(l)) => n.as_f64()?.partial_cmp(l),
        (Value::Number(n), Literal::Text(t)) => n.as_f64()?.partial_cmp(&t.parse::<f64>().ok()?),
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::Bool(b), Literal::Number(l)) => Some(f64::from(u8::from(*b)).total_cmp(l)),
        (Value::String(s), Literal::Text(t)) => {
            match (
                crate::cin7::lenient::parse_datetime(s),
                crate::cin7::lenient::parse_datetime(t),
            ) {
                (Some(a), Some(b)) if s.len() >= 10 && t.len() >= 10 => Some(a.cmp(&b)),
                _ => Some(s.to_lowercase().cmp(&t.to_lowercase())),
            }
        }
        (Value::String(s), Literal::Number(l)) => s.parse::<f64>().ok()?.partial_cmp(l),
        _ => None,
    }
}

/// `%` matches any run of characters, `_` any one character.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    // matches[j]: the text so far matches pattern[..j].
    let mut matches = vec![false; pattern.len() + 1];
    matches[0] = true;
    for j in 1..=pattern.len() {
        matches[j] = matches[j - 1] && pattern[j - 1] == '%';
    }
    for &ch in &text {
        let mut next = vec![false; pattern.len() + 1];
        for j in 1..=pattern.len() {
            next[j] = match pattern[j - 1] {
                '%' => next[j - 1] || matches[j],
                '_' => matches[j - 1],
                p => matches[j - 1] && p == ch,
            };
        }
        matches = next;
    }
    matches[pattern.len()]
}

/// One key of an `order` clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

/// Parses `field [ASC|DESC], …`; the direction defaults to descending, as Cin7's does.
pub fn parse_order(input: &str, fields: &[&str]) -> Result<Vec<SortKey>, String> {
    input
        .split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let name = words.next().ok_or("an order clause is empty")?;
            let descending = match words.next() {
                None => true,
                Some(d) if d.eq_ignore_ascii_case("desc") => true,
                Some(d) if d.eq_ignore_ascii_case("asc") => false,
                Some(d) => return Err(format!("unknown sort direction '{d}'")),
            };
            if words.next().is_some() {
                return Err(format!("cannot read the order clause '{}'", part.trim()));
            }
            Ok(SortKey {
                field: canonical_field(fields, name)?,
                descending,
            })
        })
        .collect()
}

/// Orders two records by their values of the sort keys (`a` and `b` hold one value per key).
pub fn compare_keys(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    keys.iter()
        .zip(a.iter().zip(b))
        .map(|(key, (x, y))| {
            let ordering = order_values(x, y);
            if key.descending {
                ordering.reverse()
            } else {
                ordering
            }
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Nulls first, then by value (numbers numerically, text by its characters).
fn order_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or_default()
            .total_cmp(&y.as_f64().unwrap_or_default()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (x, y) => x.to_string().cmp(&y.to_string()),
    }
}

/// A `fields` projection: top-level names, each with an optional nested list.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    fields: Vec<(String, Option<Vec<String>>)>,
}

pub fn parse_fields(input: &str, fields: &[&str]) -> Result<Projection, String> {
    let mut out = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let end = rest.find([',', '(']).unwrap_or(rest.len());
        let name = canonical_field(fields, rest[..end].trim())?;
        rest = &rest[end..];
        let nested = if let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(')').ok_or("a nested field list is not closed")?;
            let names = inner[..close]
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            rest = &inner[close + 1..];
            Some(names)
        } else {
            None
        };
        out.push((name, nested));
        rest = rest
            .trim_start()
            .strip_prefix(',')
            .unwrap_or(rest)
            .trim_start();
    }
    Ok(Projection { fields: out })
}

impl Projection {
    pub fn apply(&self, record: &Map<String, Value>) -> Value {
        let mut out = Map::new();
        for (name, nested) in &self.fields {
            let value = record.get(name).cloned().unwrap_or(Value::Null);
            let value = match (nested, value) {
                (Some(names), Value::Array(items)) => {
                    Value::Array(items.iter().map(|item| project_keys(item, names)).collect())
                }
                (_, value) => value,
            };
            out.insert(name.clone(), value);
        }
        Value::Object(out)
    }
}

fn project_keys(item: &Value, names: &[String]) -> Value {
    let Value::Object(map) = item else {
        return item.clone();
    };
    Value::Object(
        map.iter()
            .filter(|(k, _)| names.iter().any(|n| n.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Vec<&'static str> {
        vec![
            "id",
            "modifiedDate",
            "status",
            "branchId",
            "reference",
            "isVoid",
            "invoiceDate",
        ]
    }

    fn record(v: &Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn check(filter: &str, v: &Value) -> bool {
        let r = record(v);
        parse_filter(filter, &fields())
            .unwrap()
            .matches(&|name| r.get(name).cloned().unwrap_or(Value::Null))
    }

    #[test]
    fn comparisons_dates_and_case() {
        let order = json!({"id": 5, "modifiedDate": "2024-02-01T10:00:00Z", "status": "Void", "branchId": 3,
                           "reference": "#1001", "isVoid": false, "invoiceDate": null});
        assert!(check("modifiedDate>='2024-01-01T00:00:00Z'", &order));
        assert!(check("modifieddate >= 2024-02-01T10:00:00Z", &order));
        assert!(!check("ModifiedDate>'2024-02-01T23:00:00+13:00'", &order));
        assert!(check("ModifiedDate>='2024-02-01T23:00:00+13:00'", &order));
        assert!(check("status='void' AND branchId=3", &order));
        assert!(check("branchId<>4 AND (id=1 OR id=5)", &order));
        assert!(check("id IN (1, 5, 9)", &order));
        assert!(check("reference IN ('#1001','#1002')", &order));
        assert!(check("invoiceDate IS NULL AND status IS NOT NULL", &order));
        assert!(check("reference LIKE '%10_1'", &order));
        assert!(check("isVoid=false", &order));
        assert!(!check("invoiceDate>='2000-01-01T00:00:00Z'", &order));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            parse_filter("colour='red'", &fields()),
            Err("unknown field 'colour'".into())
        );
        assert!(parse_filter("id=", &fields()).is_err());
        assert!(parse_filter("id=1 AND", &fields()).is_err());
        assert!(parse_filter("(id=1", &fields()).is_err());
        assert!(parse_filter("reference='open", &fields()).is_err());
        assert!(parse_filter("id=1 id=2", &fields()).is_err());
    }

    #[test]
    fn order_defaults_to_descending() {
        assert_eq!(
            parse_order("modifiedDate, id ASC", &fields()).unwrap(),
            vec![
                SortKey {
                    field: "modifiedDate".into(),
                    descending: true
                },
                SortKey {
                    field: "id".into(),
                    descending: false
                }
            ]
        );
        assert!(parse_order("id sideways", &fields()).is_err());
    }

    #[test]
    fn projection_with_nested_lines() {
        let mut all = fields();
        all.push("lineItems");
        let projection = parse_fields("id,lineItems(qty, code)", &all).unwrap();
        let r = record(
            &json!({"id": 1, "status": "x", "lineItems": [{"qty": 2, "code": "A", "name": "n"}]}),
        );
        assert_eq!(
            projection.apply(&r),
            json!({"id": 1, "lineItems": [{"qty": 2, "code": "A"}]})
        );
    }
}
