//! The `stripe` integration's checks a client can see: the webhook refuses
//! a wrong `Stripe-Signature` (400); an event Stripe signs (here the suite
//! signs it with the webhook secret the gate gave the app, by Stripe's
//! scheme) marks the paid row; the same event again is acknowledged and
//! changes nothing.

use super::http::Session;
use super::{expect, Check, Suite};
use blueprint_core::spec::{Payment, PaymentSets};
use model::{EntityId, Operation};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, in lower-case hex.
fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Stripe-Signature` header Stripe sends with `payload` signed at
/// `timestamp` (Unix seconds) with the endpoint's `secret`:
/// `t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<payload>">`.
pub(crate) fn stripe_signature(secret: &str, timestamp: u64, payload: &str) -> String {
    let signed = format!("{timestamp}.{payload}");
    format!(
        "t={timestamp},v1={}",
        hmac_sha256_hex(secret.as_bytes(), signed.as_bytes())
    )
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Suite<'_> {
    pub(super) fn payments(&mut self) {
        let Some(entity) = self.model.routes.iter().find_map(|r| match r.operation {
            Operation::Payment(e) => Some(e),
            _ => None,
        }) else {
            return;
        };
        let webhook = self.api("/webhooks/stripe");
        let event_id = self.event_id();
        let payload = json!({
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": { "object": { "id": "pi_gate_unknown" } },
        });
        let wrong = stripe_signature("whsec_not_the_apps", now(), &payload.to_string());
        let r = self
            .client
            .send(
                &mut Session::default(),
                "POST",
                &webhook,
                Some(&payload),
                false,
                &[("Stripe-Signature", wrong.as_str())],
            )
            .and_then(|r| expect(&r, 400, "POST /webhooks/stripe with a wrong signature"));
        self.record("payments.webhook_bad_signature", r);

        let Some(secret) = self.opts.stripe_webhook_secret.clone() else {
            let why = Err("the gate gave the app no STRIPE_WEBHOOK_SECRET".to_string());
            self.record("payments.marks_row", why.clone());
            self.record("payments.replay_is_noop", why);
            return;
        };
        if let Some(why) = self.opts.stripe_unavailable.clone() {
            self.record("payments.marks_row", Err(why.clone()));
            self.record("payments.replay_is_noop", Err(why));
            return;
        }
        match self.pay_and_mark(entity, &secret) {
            Ok((row_path, event, admin)) => {
                self.record("payments.marks_row", Ok(()));
                let r = self.replay(&row_path, &event, admin, &secret);
                self.record("payments.replay_is_noop", r);
            }
            Err(why) => {
                self.record("payments.marks_row", Err(why.clone()));
                self.record(
                    "payments.replay_is_noop",
                    Err(format!("no paid row to replay an event for: {why}")),
                );
            }
        }
    }

    /// A fresh event id, unique to this run.
    fn event_id(&mut self) -> String {
        let n = self.next();
        format!("evt_gate_{}_{n}", self.nonce)
    }

    /// What the payment integration pays for, as the model read it.
    fn payment(&self) -> Option<&Payment> {
        self.model
            .integrations
            .iter()
            .find_map(|i| i.payment.as_ref())
    }

    fn is_paid(&self, row: &Value) -> bool {
        match self.payment().map(|p| &p.sets) {
            Some(PaymentSets::Flag(field)) => row[field] == json!(true),
            Some(PaymentSets::Move { field, to, .. }) => row[field] == json!(to),
            None => false,
        }
    }

    /// Sends a signed event; its answer's body.
    fn deliver(&mut self, event: &Value, secret: &str) -> Result<Value, String> {
        let header = stripe_signature(secret, now(), &event.to_string());
        let path = self.api("/webhooks/stripe");
        let r = self.client.send(
            &mut Session::default(),
            "POST",
            &path,
            Some(event),
            false,
            &[("Stripe-Signature", header.as_str())],
        )?;
        expect(&r, 200, "POST /webhooks/stripe with a signed event")?;
        Ok(r.json())
    }

    /// Creates a priced row as an admin, pays for it and delivers the
    /// success event: the row's path, the event and the admin.
    fn pay_and_mark(
        &mut self,
        entity: EntityId,
        secret: &str,
    ) -> Result<(String, Value, usize), String> {
        let admin = self
            .admin_index()
            .ok_or("no signed-in admin to create and pay a row")?;
        let payment = self
            .payment()
            .ok_or("the model has no payment integration")?
            .clone();
        let amount = payment.amount.clone();
        let id = self.create_row(entity, admin, 0)?;
        let one = format!("{}/{id}", self.collection_path(entity));
        let row = self.send(Some(admin), "GET", &one, None)?;
        expect(&row, 200, &format!("GET {one}"))?;
        let row = row.json();
        if row[&amount].as_i64().is_none_or(|a| a <= 0) {
            let field = &self.model.get(entity).fields;
            let min = field
                .iter()
                .find(|f| f.name == amount)
                .and_then(|f| f.rules.min.as_ref())
                .map(|m| m.as_f64())
                .unwrap_or(0.0);
            let price = (min.ceil() as i64).max(100);
            let r = self.send(Some(admin), "PATCH", &one, Some(&json!({ &amount: price })))?;
            expect(&r, 200, &format!("PATCH {one} with a price"))?;
        }
        if let PaymentSets::Move { field, from, .. } = &payment.sets {
            // Payment moves the row only from some values: an admin moves
            // it there first, one listed move at a time.
            let current = row[field].as_str().unwrap_or_default().to_string();
            let walk = self
                .model
                .get(entity)
                .fields
                .iter()
                .find(|f| &f.name == field)
                .and_then(|f| f.workflow.as_ref())
                .and_then(|w| w.walk(&current, from))
                .ok_or(format!(
                    "{one}'s `{field}` cannot move from `{current}` to a value payment moves it from ({})",
                    from.join(", ")
                ))?;
            for value in walk {
                let r = self.send(
                    Some(admin),
                    "PATCH",
                    &one,
                    Some(&json!({ field.as_str(): &value })),
                )?;
                expect(&r, 200, &format!("PATCH {one} with `{field}` {value}"))?;
            }
        }
        if self.is_paid(&row) {
            // The row was made with sample values, which may say it is
            // paid: an admin may write the field, and does.
            if let PaymentSets::Flag(field) = &payment.sets {
                let r = self.send(
                    Some(admin),
                    "PATCH",
                    &one,
                    Some(&json!({ field.as_str(): false })),
                )?;
                expect(&r, 200, &format!("PATCH {one} as unpaid"))?;
            }
            let again = self.send(Some(admin), "GET", &one, None)?;
            if self.is_paid(&again.json()) {
                return Err(format!("{one} reads as paid before any payment"));
            }
        }
        let pay = format!("{one}/payment");
        let r = self.send(Some(admin), "POST", &pay, None)?;
        expect(&r, 200, &format!("POST {pay}"))?;
        let payment_id = r.json()["payment_id"]
            .as_str()
            .ok_or(format!("POST {pay} answered no payment_id"))?
            .to_string();
        let checkout = payment.checkout;
        let name = self.model.get(entity).name.clone();
        let metadata = json!({ "entity": name, "row_id": id });
        let event_id = self.event_id();
        let event = if checkout {
            json!({
                "id": event_id,
                "object": "event",
                "type": "checkout.session.completed",
                "data": { "object": { "id": payment_id, "object": "checkout.session", "payment_status": "paid", "metadata": metadata } },
            })
        } else {
            json!({
                "id": event_id,
                "object": "event",
                "type": "payment_intent.succeeded",
                "data": { "object": { "id": payment_id, "object": "payment_intent", "status": "succeeded", "metadata": metadata } },
            })
        };
        let answer = self.deliver(&event, secret)?;
        if answer["replay"] != json!(false) {
            return Err(format!(
                "the first delivery of an event answered {answer}, not `replay: false`"
            ));
        }
        let r = self.send(Some(admin), "GET", &one, None)?;
        expect(&r, 200, &format!("GET {one}"))?;
        if !self.is_paid(&r.json()) {
            return Err(format!(
                "after a signed {} event, {one} is not marked paid: {}",
                event["type"],
                r.brief()
            ));
        }
        Ok((one, event, admin))
    }

    /// The same event again: acknowledged, and the row does not change.
    fn replay(&mut self, one: &str, event: &Value, admin: usize, secret: &str) -> Check {
        let before = self.send(Some(admin), "GET", one, None)?.json();
        let answer = self.deliver(event, secret)?;
        if answer["replay"] != json!(true) {
            return Err(format!(
                "the same event again answered {answer}, not `replay: true`"
            ));
        }
        let after = self.send(Some(admin), "GET", one, None)?.json();
        if before != after {
            return Err(format!("replaying an event changed {one}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let header = stripe_signature("whsec_x", 1_700_000_000, "{}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
    }
}
