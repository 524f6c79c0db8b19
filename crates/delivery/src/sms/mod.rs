//! SMS providers. Each one is a [`Driver`](domain::outbox::Driver) of its own; the
//! [`Router`](crate::Router) puts a primary and a fallback in front of them.
//!
//! ## Template parameters
//!
//! Providers with approved templates (Aliyun, Tencent) receive only the parameters a template
//! needs, all as strings, in this documented order (Tencent's `TemplateParamSet` is positional;
//! Aliyun's `TemplateParam` is a JSON object with these names as keys):
//!
//! | template | parameters |
//! | --- | --- |
//! | any template carrying a `code` (`register_code`, `support_contact_code`, `password_reset_code`, …) | `code`, `minutes` |
//! | `register_taken` | `when`, `ip` |
//! | `account_locked` | `when`, `ip`, `device`, `minutes` |
//! | `password_changed` | `when`, `ip`, `device` |
//! | any other | every string or number parameter, by name |
//!
//! Approve templates whose variables follow this order (Tencent: `{1}`, `{2}`, …; Aliyun:
//! `${code}`, `${minutes}`, …).

pub mod aliyun;
pub mod tencent;
pub mod twilio;
pub mod webhook;

use serde_json::Value;

/// The parameters a template needs, as (name, value-as-string) pairs in the documented order.
/// Missing parameters are left out; `minutes` defaults to 10 like the rendered text does.
pub fn template_params(template: &str, params: &Value) -> Vec<(String, String)> {
    let names: &[&str] = match template {
        _ if params.get("code").is_some() => &["code", "minutes"],
        "register_taken" => &["when", "ip"],
        "account_locked" => &["when", "ip", "device", "minutes"],
        "password_changed" => &["when", "ip", "device"],
        _ => {
            let mut all: Vec<(String, String)> = params
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
                        .collect()
                })
                .unwrap_or_default();
            all.sort();
            return all;
        }
    };
    names
        .iter()
        .filter_map(|name| {
            let value = params
                .get(*name)
                .and_then(scalar)
                .or_else(|| (*name == "minutes").then(|| "10".to_owned()))?;
            Some(((*name).to_owned(), value))
        })
        .collect()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A provider's template id for one of our templates, or a `Permanent(Rejected)` naming it.
pub(crate) fn provider_template<'a>(
    provider: &str,
    templates: &'a std::collections::BTreeMap<String, String>,
    template: &str,
) -> Result<&'a str, domain::outbox::SendError> {
    templates.get(template).map(String::as_str).ok_or_else(|| {
        domain::outbox::SendError::Permanent(
            domain::outbox::Permanent::Rejected,
            format!("{provider}: no provider template configured for {template:?}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn code_templates_take_code_then_minutes_as_strings() {
        let p = json!({"code": "123456", "minutes": 10, "ip": "1.2.3.4"});
        assert_eq!(
            template_params("register_code", &p),
            pairs(&[("code", "123456"), ("minutes", "10")])
        );
        let p = json!({"code": "654321"});
        assert_eq!(
            template_params("password_reset_code", &p),
            pairs(&[("code", "654321"), ("minutes", "10")])
        );
    }

    #[test]
    fn notices_have_a_fixed_order_and_others_sort_by_name() {
        let p = json!({"when": "09:00", "ip": "1.2.3.4", "device": "iPhone", "minutes": 15});
        assert_eq!(
            template_params("account_locked", &p),
            pairs(&[
                ("when", "09:00"),
                ("ip", "1.2.3.4"),
                ("device", "iPhone"),
                ("minutes", "15")
            ])
        );
        let p = json!({"b": "2", "a": 1, "nested": {"x": 1}});
        assert_eq!(
            template_params("something_new", &p),
            pairs(&[("a", "1"), ("b", "2")])
        );
    }
}
