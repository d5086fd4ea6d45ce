//! Vendor integrations for archgen.
//!
//! A vendor (Stripe, SendGrid, SMTP, OIDC, Sentry, S3, Twilio, Slack) adds its
//! elements to the blueprint and its files to each stack it supports. The
//! `Vendor` trait and the integration templates arrive with the render engine.
