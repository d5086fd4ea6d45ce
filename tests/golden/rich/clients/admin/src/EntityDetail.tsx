import { useEffect, useState } from "react";

import { ApiError, jsonText, request, type Account, type Row } from "./api";
import { may, mayRead, movesFor } from "./access";
import type { EntitySpec } from "./model";
import { href, navigate } from "./route";

/** A value as text. */
export function display(value: unknown): string {
  if (value === null || value === undefined) {
    return "—";
  }
  if (typeof value === "boolean") {
    return value ? "yes" : "no";
  }
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" || typeof value === "bigint") {
    return value.toString();
  }
  return jsonText(value);
}

/** One row: its readable fields, edit and delete, and the workflow moves the role may make. */
export function EntityDetail({ entity, me, id }: { entity: EntitySpec; me: Account; id: string }) {
  const [row, setRow] = useState<Row | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = `${entity.path}/${encodeURIComponent(id)}`;

  useEffect(() => {
    request<Row>("GET", path)
      .then(setRow)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : "The row did not load."));
  }, [path]);

  async function act(change: () => Promise<void>) {
    setError(null);
    try {
      await change();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "That did not work.");
    }
  }

  const remove = () =>
    act(async () => {
      if (window.confirm(`Delete this ${entity.label.toLowerCase()}?`)) {
        await request<undefined>("DELETE", path);
        navigate({ screen: "list", collection: entity.collection });
      }
    });

  const move = (field: string, to: string) =>
    act(async () => {
      setRow(await request<Row>("PATCH", path, { [field]: to }));
    });

  return (
    <section aria-labelledby="detail-title">
      <h1 id="detail-title">{entity.label}</h1>
      {error && <p role="alert">{error}</p>}
      {row && (
        <>
          <dl>
            <div className="pair">
              <dt>Id</dt>
              <dd data-field="id">{row.id}</dd>
            </div>
            {entity.fields
              .filter((f) => mayRead(f, me, row))
              .map((f) => (
                <div key={f.name} className="pair">
                  <dt>{f.label}</dt>
                  <dd data-field={f.name}>{display(row[f.name])}</dd>
                </div>
              ))}
            {entity.relations.map((r) => (
              <div key={r.key} className="pair">
                <dt>{r.label}</dt>
                <dd data-field={r.key}>{display(row[r.key])}</dd>
              </div>
            ))}
            {entity.links.map((l) => {
              const ids = row[l.key];
              return (
                <div key={l.key} className="pair">
                  <dt>{l.label}</dt>
                  <dd data-field={l.key}>{Array.isArray(ids) && ids.length > 0 ? ids.map(display).join(", ") : "—"}</dd>
                </div>
              );
            })}
          </dl>
          {entity.fields
            .filter((f) => f.workflow !== undefined && may(entity, "update", me, row))
            .map((f) => {
              const moves = movesFor(f, me, row);
              return moves.length === 0 ? null : (
                <div key={f.name} role="group" aria-label={`Move ${f.label.toLowerCase()}`} className="moves">
                  {moves.map((to) => (
                    <button key={to} type="button" onClick={() => void move(f.name, to)}>
                      {f.label}: {to}
                    </button>
                  ))}
                </div>
              );
            })}
          <div className="actions">
            {may(entity, "update", me, row) && (
              <a className="button" href={href({ screen: "edit", collection: entity.collection, id: row.id })}>
                Edit
              </a>
            )}
            {may(entity, "delete", me, row) && (
              <button type="button" className="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
