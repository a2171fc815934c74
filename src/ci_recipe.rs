//! The CI recipes `folio init` writes, one per host, and what each one
//! publishes where: GitHub Pages gets the handbook only unless the team
//! opts in, GitLab Pages the full site behind Pages access control.

/// Where the records repository's CI runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    /// GitHub Actions: `.github/workflows/folio.yml`.
    Github,
    /// GitLab CI/CD: `.gitlab-ci.yml`.
    Gitlab,
    /// No CI recipe.
    None,
}

/// The GitHub Actions workflow.
const GITHUB_WORKFLOW: &str = include_str!("../templates/ci/folio.yml");

/// The GitLab CI/CD pipeline.
const GITLAB_PIPELINE: &str = include_str!("../templates/ci/gitlab-ci.yml");

impl Host {
    /// The recipe's file (path in the repository, text), if the host has one.
    pub fn recipe(self) -> Option<(&'static str, &'static str)> {
        match self {
            Host::Github => Some((".github/workflows/folio.yml", GITHUB_WORKFLOW)),
            Host::Gitlab => Some((".gitlab-ci.yml", GITLAB_PIPELINE)),
            Host::None => None,
        }
    }

    /// One line on where the recipe publishes the site and who can read it.
    pub fn publishing(self) -> &'static str {
        match self {
            Host::Github => {
                "publishing: GitHub Pages gets the handbook only, readable by anyone; the status site with client data stays a workflow artifact for the repository's readers (FOLIO_PUBLISH_STATUS=true puts it on Pages: only with access-controlled Pages)"
            }
            Host::Gitlab => {
                "publishing: GitLab Pages gets the full status site with client data: set the project's Pages access control to \"Only project members\" before the first pipeline on the default branch, or anyone can read it"
            }
            Host::None => {
                "publishing: no CI recipe; `folio build` writes the status site with client data to public/ for whoever can open it (`--handbook-only` for a site without client data)"
            }
        }
    }
}
