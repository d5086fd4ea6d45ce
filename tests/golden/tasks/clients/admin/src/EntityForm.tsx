import { useEffect, useState, type FormEvent } from "react";

import { ApiError, jsonText, request, type Account, type Row } from "./api";
import { mayWrite, own } from "./access";
import type { EntitySpec, FieldSpec, LinkSpec, RelationSpec } from "./model";
import { useOptions } from "./options";
import { href, navigate } from "./route";

/** The text an input shows for a value. */
function toInput(field: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) {
    return "";
  }
  if (field.kind === "datetime" && typeof value === "string") {
    // `datetime-local` takes minutes, without a zone; values are UTC.
    return value.slice(0, 16);
  }
  if (field.kind === "json") {
    return jsonText(value);
  }
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "bigint") {
    return value.toString();
  }
  // Not a field's plain value: shown as JSON rather than `[object Object]`.
  return jsonText(value);
}

/** The value to send for an input's text; `undefined` leaves it out. */
function fromInput(field: FieldSpec, text: string): unknown {
  if (text === "") {
    return field.nullable ? null : undefined;
  }
  switch (field.kind) {
    case "integer":
      // Past 2^53 a number would round: a `bigint` keeps every digit.
      if (/^-?[0-9]+$/.test(text) && !Number.isSafeInteger(Number(text))) {
        return BigInt(text);
      }
      return Number.isNaN(Number(text)) ? text : Number(text);
    case "datetime":
      return text.length === 16 ? `${text}:00Z` : text;
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

function ErrorText({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

function FieldInput({ field, value, error }: { field: FieldSpec; value: unknown; error: string | undefined }) {
  const id = `field-${field.name}`;
  const describedBy = error ? `${id}-error` : undefined;
  const common = {
    id,
    name: field.name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
  };
  let input;
  switch (field.kind) {
    case "boolean":
      input = <input {...common} type="checkbox" defaultChecked={value === true} />;
      break;
    case "enum":
      input = (
        <select {...common} defaultValue={toInput(field, value)}>
          <option value="">{field.required ? "Choose…" : "—"}</option>
          {field.values?.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
      break;
    case "textarea":
    case "json":
      input = <textarea {...common} defaultValue={toInput(field, value)} rows={4} />;
      break;
    default: {
      const types: Record<string, string> = {
        integer: "number",
        date: "date",
        datetime: "datetime-local",
        email: "email",
        url: "url",
        tel: "tel",
      };
      input = (
        <input
          {...common}
          type={types[field.kind] ?? "text"}
          inputMode={field.kind === "decimal" ? "decimal" : undefined}
          maxLength={field.maxLength}
          defaultValue={toInput(field, value)}
        />
      );
    }
  }
  return (
    <div className={field.kind === "boolean" ? "field checkbox" : "field"}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {input}
      <ErrorText id={`${id}-error`} message={error} />
    </div>
  );
}

function RelationInput({
  relation,
  value,
  error,
}: {
  relation: RelationSpec;
  value: unknown;
  error: string | undefined;
}) {
  const { options, name } = useOptions(relation.target);
  const id = `field-${relation.key}`;
  // A row beyond the newest page is still offered, so saving keeps it.
  const current = typeof value === "string" && !options.some((row) => row.id === value) ? value : null;

  return (
    <div className="field">
      <label htmlFor={id}>
        {relation.label}
        {relation.required && <span aria-hidden="true"> *</span>}
      </label>
      <select
        id={id}
        name={relation.key}
        // Mounted again once the options arrive, so the row's value is selected.
        key={options.length}
        defaultValue={typeof value === "string" ? value : ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        <option value="">{relation.required ? "Choose…" : "—"}</option>
        {options.map((row) => (
          <option key={row.id} value={row.id}>
            {name(row)}
          </option>
        ))}
        {current !== null && <option value={current}>{current}</option>}
      </select>
      <ErrorText id={`${id}-error`} message={error} />
    </div>
  );
}

/** The text a form holds under `name` (`""` when it holds none). */
function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** The ids a link list holds (none when the value is not a list). */
function linked(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A many-to-many relation: a list of the target's rows, any number of them chosen. */
function LinksInput({ link, value, error }: { link: LinkSpec; value: unknown; error: string | undefined }) {
  const { options, name } = useOptions(link.target);
  const id = `field-${link.key}`;
  const chosen = linked(value);
  // Linked rows beyond the newest page are still offered, so saving keeps them.
  const missing = chosen.filter((c) => !options.some((row) => row.id === c));

  return (
    <div className="field">
      <label htmlFor={id}>{link.label}</label>
      <select
        id={id}
        name={link.key}
        multiple
        size={Math.min(6, Math.max(2, options.length + missing.length))}
        // Mounted again once the options arrive, so the row's links are selected.
        key={options.length}
        defaultValue={chosen}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {options.map((row) => (
          <option key={row.id} value={row.id}>
            {name(row)}
          </option>
        ))}
        {missing.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      <ErrorText id={`${id}-error`} message={error} />
    </div>
  );
}

/** Creates a row (no `id`) or edits one; the API's field errors show next to their fields. */
export function EntityForm({ entity, me, id }: { entity: EntitySpec; me: Account; id?: string }) {
  const [row, setRow] = useState<Row | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editing = id !== undefined;
  const path = editing ? `${entity.path}/${encodeURIComponent(id)}` : entity.path;
  const fields = entity.fields.filter((f) => mayWrite(f, me, row ?? undefined));

  useEffect(() => {
    if (editing) {
      request<Row>("GET", path)
        .then(setRow)
        .catch((e: unknown) => setMessage(e instanceof ApiError ? e.message : "The row did not load."));
    }
  }, [editing, path]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = {};
    for (const field of fields) {
      const value =
        field.kind === "boolean" ? form.get(field.name) !== null : fromInput(field, textOf(form, field.name));
      const before = row?.[field.name];
      if (value !== undefined && (!editing || jsonText(value) !== jsonText(before ?? null))) {
        body[field.name] = value;
      }
    }
    for (const relation of entity.relations) {
      const value = textOf(form, relation.key);
      const next = value === "" ? (relation.required ? undefined : null) : value;
      if (next !== undefined && (!editing || next !== (row?.[relation.key] ?? null))) {
        body[relation.key] = next;
      }
    }
    for (const link of entity.links) {
      const ids = form.getAll(link.key).filter((v) => typeof v === "string");
      const before = linked(row?.[link.key]);
      const same = ids.length === before.length && [...ids].sort().join() === [...before].sort().join();
      if (!editing ? ids.length > 0 : !same) {
        body[link.key] = ids;
      }
    }
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const saved = await request<Row>(editing ? "PATCH" : "POST", path, body);
      navigate({ screen: "detail", collection: entity.collection, id: saved.id });
    } catch (e) {
      if (e instanceof ApiError) {
        setErrors({ ...e.errors });
        setMessage(e.detail ?? e.title);
      } else {
        setMessage("The save failed.");
      }
    } finally {
      setBusy(false);
    }
  }

  if (editing && row === null) {
    return message ? <p role="alert">{message}</p> : <p>Loading…</p>;
  }
  const known = new Set([
    ...fields.map((f) => f.name),
    ...entity.relations.map((r) => r.key),
    ...entity.links.map((l) => l.key),
  ]);
  const other = Object.entries(errors).filter(([key]) => !known.has(key));

  return (
    <section aria-labelledby="form-title">
      <h1 id="form-title">
        {editing ? "Edit" : "New"} {entity.label.toLowerCase()}
      </h1>
      <form noValidate onSubmit={(e) => void submit(e)}>
        {fields.map((f) => (
          <FieldInput key={f.name} field={f} value={row?.[f.name]} error={own(errors, f.name)} />
        ))}
        {entity.relations.map((r) => (
          <RelationInput key={r.key} relation={r} value={row?.[r.key]} error={own(errors, r.key)} />
        ))}
        {entity.links.map((l) => (
          <LinksInput key={l.key} link={l} value={row?.[l.key]} error={own(errors, l.key)} />
        ))}
        {message && (
          <div role="alert" className="form-error">
            <p>{message}</p>
            {other.length > 0 && (
              <ul>
                {other.map(([key, text]) => (
                  <li key={key}>
                    {key}: {text}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {editing ? "Save" : "Create"}
          </button>
          <a
            href={
              editing
                ? href({ screen: "detail", collection: entity.collection, id })
                : href({ screen: "list", collection: entity.collection })
            }
          >
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
