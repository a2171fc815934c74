//! Escalation policies: the built-in ladders of SPEC §3 and user-defined ones
//! from folio.yaml, in one shape.

use crate::model::{Config, DayUnit, Work};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    pub id: String,
    pub offset: i32,
    pub title: String,
    /// A role in the account's roles, or a person handle.
    pub owner: String,
    pub channel: String,
    pub work: Work,
    pub description: String,
    /// Inline Tera template from folio.yaml; otherwise the template file
    /// `messages/<policy>/<stage>.txt` is used.
    #[serde(skip)]
    pub template: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub days: DayUnit,
    pub description: String,
    pub builtin: bool,
    pub stages: Vec<Stage>,
}

impl Policy {
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }
    /// Index of the first stage whose work is not `continue`.
    pub fn first_pausing(&self) -> Option<usize> {
        self.stages.iter().position(|s| s.work != Work::Continue)
    }
}

pub const BUILTIN_NAMES: [&str; 3] = ["agency", "gradual", "saas"];

/// The policy named `name`: folio.yaml's definition, else the built-in one.
pub fn resolve(config: Option<&Config>, name: &str) -> Option<Policy> {
    if let Some(p) = config.and_then(|c| c.policies.get(name)) {
        return Some(Policy {
            name: name.to_string(),
            days: p.days.value,
            description: p.description.clone().unwrap_or_default(),
            builtin: false,
            stages: p
                .stages
                .iter()
                .map(|s| Stage {
                    id: s.id.value.clone(),
                    offset: s.offset.value,
                    title: s.title.clone().unwrap_or_else(|| s.id.value.clone()),
                    owner: s
                        .owner
                        .as_ref()
                        .map_or("producer".into(), |o| o.value.clone()),
                    channel: s.channel.clone().unwrap_or_default(),
                    work: s.work.unwrap_or(Work::Continue),
                    description: s.description.clone().unwrap_or_default(),
                    template: s.template.as_ref().map(|t| t.value.clone()),
                })
                .collect(),
        });
    }
    builtin(name)
}

/// Every policy a repository can use: its own, then the built-ins it does not override.
pub fn all(config: Option<&Config>) -> Vec<Policy> {
    let mut names: Vec<String> = config
        .map(|c| c.policies.keys().cloned().collect())
        .unwrap_or_default();
    for b in BUILTIN_NAMES {
        if !names.iter().any(|n| n == b) {
            names.push(b.to_string());
        }
    }
    names.sort();
    names.iter().filter_map(|n| resolve(config, n)).collect()
}

fn stage(
    id: &str,
    offset: i32,
    title: &str,
    owner: &str,
    channel: &str,
    work: Work,
    description: &str,
) -> Stage {
    Stage {
        id: id.into(),
        offset,
        title: title.into(),
        owner: owner.into(),
        channel: channel.into(),
        work,
        description: description.into(),
        template: None,
    }
}

pub fn builtin(name: &str) -> Option<Policy> {
    use Work::*;
    let (days, description, stages) = match name {
        "agency" => (
            DayUnit::Calendar,
            "The agency ladder, in calendar days: a friendly reminder a week before the due date, a formal notice on it, work paused a week later and the team taken off the day after.",
            vec![
                stage(
                    "reminder",
                    -7,
                    "Friendly reminder",
                    "producer",
                    "private message",
                    Continue,
                    "A friendly, private note in writing that the invoice falls due in a week.",
                ),
                stage(
                    "due-notice",
                    0,
                    "Formal notice",
                    "producer",
                    // SPEC §4's example: the agency's due notice goes on
                    // the client's shared channel, in writing.
                    "slack",
                    Continue,
                    "A formal written notice on the due date: if payment does not arrive, finance will pause the work.",
                ),
                stage(
                    "pause",
                    7,
                    "Work paused",
                    "producer",
                    "call + written recap to billing",
                    Pause,
                    "Work pauses. A call with the client, then a written recap copied to their billing contact.",
                ),
                stage(
                    "offload",
                    8,
                    "Team offloaded",
                    "finance",
                    "email",
                    Stop,
                    "The team is taken off the account and reassigned; finance takes over the collection.",
                ),
            ],
        ),
        "gradual" => (
            DayUnit::Working,
            "A gradual ladder in working days, from a courtesy call to lawyers, for clients where a legal route must be prepared step by step.",
            vec![
                stage(
                    "courtesy-call",
                    -3,
                    "Courtesy call",
                    "producer",
                    "phone",
                    Continue,
                    "A friendly call three working days before the due date to check the invoice is on its way.",
                ),
                stage(
                    "deadline-call",
                    0,
                    "Deadline call",
                    "producer",
                    "phone",
                    Continue,
                    "On the due date: a call asking for payment today.",
                ),
                stage(
                    "demand-letter",
                    1,
                    "Demand letter",
                    "producer",
                    "email",
                    Continue,
                    "A written demand warning that late-payment penalties will apply.",
                ),
                stage(
                    "demand-call",
                    2,
                    "Demand call",
                    "producer",
                    "phone",
                    Continue,
                    "A call: pay within a working day, or send an official letter committing to a payment date.",
                ),
                stage(
                    "letter-request",
                    3,
                    "Letter request",
                    "producer",
                    "email",
                    Continue,
                    "A written demand for that official letter with a payment date.",
                ),
                stage(
                    "formal-claim",
                    8,
                    "Formal claim",
                    "finance",
                    "registered letter",
                    Pause,
                    "A formal claim warning of court action. Work pauses.",
                ),
                stage(
                    "lawyers",
                    15,
                    "Lawyers",
                    "finance",
                    "lawyer",
                    Pause,
                    "The claim is handed to lawyers.",
                ),
            ],
        ),
        "saas" => (
            DayUnit::Calendar,
            "A subscription ladder in calendar days: a reminder on the due date, a second one two weeks later, and the service cut off three days after that.",
            vec![
                stage(
                    "reminder",
                    0,
                    "Reminder",
                    "finance",
                    "email",
                    Continue,
                    "A reminder on the due date.",
                ),
                stage(
                    "second-reminder",
                    14,
                    "Second reminder",
                    "finance",
                    "email",
                    Continue,
                    "A second reminder, stating the cut-off date.",
                ),
                stage(
                    "cutoff",
                    17,
                    "Service cut off",
                    "finance",
                    "email",
                    Stop,
                    "The service is cut off until the balance is paid.",
                ),
            ],
        ),
        _ => return None,
    };
    Some(Policy {
        name: name.into(),
        days,
        description: description.into(),
        builtin: true,
        stages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_match_the_spec() {
        let ids = |p: &str| -> Vec<(String, i32)> {
            builtin(p)
                .unwrap()
                .stages
                .iter()
                .map(|s| (s.id.clone(), s.offset))
                .collect()
        };
        let s = |v: &[(&str, i32)]| -> Vec<(String, i32)> {
            v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
        };
        assert_eq!(
            ids("agency"),
            s(&[
                ("reminder", -7),
                ("due-notice", 0),
                ("pause", 7),
                ("offload", 8)
            ])
        );
        assert_eq!(
            ids("gradual"),
            s(&[
                ("courtesy-call", -3),
                ("deadline-call", 0),
                ("demand-letter", 1),
                ("demand-call", 2),
                ("letter-request", 3),
                ("formal-claim", 8),
                ("lawyers", 15)
            ])
        );
        assert_eq!(
            ids("saas"),
            s(&[("reminder", 0), ("second-reminder", 14), ("cutoff", 17)])
        );
        assert_eq!(builtin("agency").unwrap().days, DayUnit::Calendar);
        assert_eq!(builtin("gradual").unwrap().days, DayUnit::Working);
        assert_eq!(builtin("saas").unwrap().days, DayUnit::Calendar);
        assert_eq!(builtin("gradual").unwrap().first_pausing(), Some(5));
        // Owners and what happens to the work, stage by stage.
        let roles = |p: &str| -> Vec<(String, String, Work)> {
            builtin(p)
                .unwrap()
                .stages
                .iter()
                .map(|s| (s.id.clone(), s.owner.clone(), s.work))
                .collect()
        };
        let r = |v: &[(&str, &str, Work)]| -> Vec<(String, String, Work)> {
            v.iter()
                .map(|(a, b, w)| (a.to_string(), b.to_string(), *w))
                .collect()
        };
        use Work::*;
        assert_eq!(
            roles("agency"),
            r(&[
                ("reminder", "producer", Continue),
                ("due-notice", "producer", Continue),
                ("pause", "producer", Pause),
                ("offload", "finance", Stop),
            ])
        );
        let gradual_work: Vec<Work> = roles("gradual").into_iter().map(|(_, _, w)| w).collect();
        assert_eq!(
            gradual_work,
            [
                Continue, Continue, Continue, Continue, Continue, Pause, Pause
            ]
        );
        let saas_work: Vec<Work> = roles("saas").into_iter().map(|(_, _, w)| w).collect();
        assert_eq!(saas_work, [Continue, Continue, Stop]);
        // The channel of SPEC §4's example action (agency's due notice).
        let agency = builtin("agency").unwrap();
        assert_eq!(agency.stage("due-notice").unwrap().channel, "slack");
        assert!(builtin("nope").is_none());
    }
}
