//! The layout of a records repository (SPEC §1): which paths hold which
//! kind of record.

/// The account a repository path belongs to: `accounts/<id>` and
/// everything under it.
pub fn account_of(rel: &str) -> Option<&str> {
    let rest = rel.strip_prefix("accounts/")?;
    Some(rest.split('/').next().unwrap_or(rest)).filter(|id| !id.is_empty())
}

/// What a path in the repository holds, by SPEC §1's layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Config,
    Page,
    Account { account: String },
    Project { account: String },
    Invoice { account: String },
}

/// Classifies a `/`-separated relative path; `None` for files folio ignores.
pub fn classify(rel: &str) -> Option<Kind> {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts.iter().any(|p| p.starts_with('.')) {
        return None;
    }
    let md = |name: &str| name.ends_with(".md");
    match parts.as_slice() {
        ["folio.yaml"] => Some(Kind::Config),
        ["handbook", page] if md(page) => Some(Kind::Page),
        ["accounts", a, "account.md"] => Some(Kind::Account {
            account: a.to_string(),
        }),
        ["accounts", a, "projects", p] if md(p) => Some(Kind::Project {
            account: a.to_string(),
        }),
        ["accounts", a, "invoices", i] if md(i) => Some(Kind::Invoice {
            account: a.to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_account() {
        assert_eq!(account_of("accounts/acme/invoices/a.md"), Some("acme"));
        assert_eq!(account_of("accounts/acme"), Some("acme"));
        assert_eq!(account_of("accounts/acme-2/account.md"), Some("acme-2"));
        assert_eq!(account_of("accounts/"), None);
        assert_eq!(account_of("handbook/acme.md"), None);
    }

    #[test]
    fn classifies_the_layout() {
        assert_eq!(classify("folio.yaml"), Some(Kind::Config));
        assert_eq!(classify("handbook/producer.md"), Some(Kind::Page));
        assert_eq!(classify("README.md"), None);
        assert_eq!(classify("handbook/img/a.md"), None);
        assert_eq!(
            classify("accounts/acme/invoices/x.md"),
            Some(Kind::Invoice {
                account: "acme".into()
            })
        );
        assert_eq!(classify("accounts/acme/notes.md"), None);
        assert_eq!(classify("accounts/.git/account.md"), None);
        assert_eq!(classify("accounts/acme/invoices/.draft.md"), None);
    }
}
