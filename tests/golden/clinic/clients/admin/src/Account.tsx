import { useState } from "react";

import { ApiError, jsonText, request, type Account } from "./api";
import { ACCOUNT } from "./model";

/** The caller's own account: a copy of their data (GDPR export), and erasure. */
export function AccountScreen({ me, onErased }: { me: Account; onErased: () => void }) {
  const { export: exportPath, erase: erasePath } = ACCOUNT;
  const [error, setError] = useState<string | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);

  async function download(path: string) {
    setError(null);
    try {
      const data = await request<unknown>("GET", path);
      const blob = new Blob([jsonText(data, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = "my-data.json";
      link.click();
      // Revoked once the browser has started the download.
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The export did not load.");
    }
  }

  async function erase(path: string) {
    setBusy(true);
    setError(null);
    try {
      await request<undefined>("DELETE", path);
      onErased();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The account was not deleted.");
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <p>
        Signed in as <strong>{me.email}</strong>.
      </p>
      {exportPath !== null && (
        <>
          <h2>Your data</h2>
          <p>A copy of everything this service holds about you, as JSON.</p>
          <button type="button" onClick={() => void download(exportPath)}>
            Download my data
          </button>
        </>
      )}
      {erasePath !== null && (
        <>
          <h2>Delete your account</h2>
          <p>
            <label>
              <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> I
              understand that my account and the rows I own are deleted for good
            </label>
          </p>
          <button type="button" disabled={!understood || busy} onClick={() => void erase(erasePath)}>
            Delete my account
          </button>
        </>
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </section>
  );
}
