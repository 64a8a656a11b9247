//! String equality in a `const fn`, which `==` on `str` is not yet: what
//! lets the compile-time checks compare names (a writer's cells against its
//! file's columns, a behaviour's live parameters against its parameters).

/// Whether `a` and `b` are the same string.
pub(crate) const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_and_only_they_are_equal() {
        // It runs where the checks run: at compile time.
        const _: () = assert!(eq("herding", "herding"));
        assert!(eq("herding", "herding") && eq("", ""));
        assert!(!eq("herding", "herd"));
        assert!(!eq("rate", "rats"));
    }
}
