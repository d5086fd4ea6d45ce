import { useState } from "react";

import type { Account, Row } from "./api";
import { may, mayRead } from "./access";
import { display } from "./EntityDetail";
import type { EntitySpec, FieldSpec } from "./model";
import { Pager, usePaged } from "./paging";
import { href } from "./route";

/** A filter the list applies: rows whose `field` equals `value`. */
interface Filter {
  field: string;
  value: string;
}

/** The sorts the API allows: creation and change times, and the sortable fields the role sees. */
function sorts(entity: EntitySpec, me: Account): { value: string; label: string }[] {
  const fields = entity.fields.filter((f) => f.sortable && mayRead(f, me));
  return [
    { value: "created_at", label: "Oldest first" },
    { value: "-created_at", label: "Newest first" },
    { value: "-updated_at", label: "Last changed first" },
    ...fields.flatMap((f) => [
      { value: f.name, label: `${f.label}, ascending` },
      { value: `-${f.name}`, label: `${f.label}, descending` },
    ]),
  ];
}

/** One page of an entity's rows, with the cursor to the next, sorted and filtered as the API allows. */
export function EntityList({ entity, me }: { entity: EntitySpec; me: Account }) {
  const [sort, setSort] = useState("created_at");
  const [filter, setFilter] = useState<Filter | null>(null);
  const query = new URLSearchParams({ sort });
  if (filter !== null) {
    query.set(filter.field, filter.value);
  }
  const paged = usePaged<Row>(entity.path, query);
  const { page, error } = paged;
  const columns = entity.fields.filter((f) => mayRead(f, me)).slice(0, 4);
  const filterable = entity.fields.filter((f) => f.filterable && f.kind !== "json" && mayRead(f, me));

  // A new sort or filter starts again from the first page.
  function changeSort(value: string) {
    paged.restart();
    setSort(value);
  }
  function changeFilter(value: Filter | null) {
    paged.restart();
    setFilter(value);
  }

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{entity.plural}</h1>
      {may(entity, "create", me) && (
        <p>
          <a className="button" href={href({ screen: "new", collection: entity.collection })}>
            New {entity.label.toLowerCase()}
          </a>
        </p>
      )}
      <div className="list-controls">
        <label>
          Sort by{" "}
          <select value={sort} onChange={(e) => changeSort(e.target.value)}>
            {sorts(entity, me).map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {filterable.length > 0 && <FilterForm fields={filterable} active={filter} onChange={changeFilter} />}
      </div>
      {error && <p role="alert">{error}</p>}
      {page && page.items.length === 0 && <p>{filter === null ? "No rows yet." : "No rows match the filter."}</p>}
      {page && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((f) => (
                <th key={f.name} scope="col">
                  {f.label}
                </th>
              ))}
              <th scope="col">Row</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={row.id}>
                {columns.map((f) => (
                  <td key={f.name}>{display(row[f.name])}</td>
                ))}
                <td>
                  <a href={href({ screen: "detail", collection: entity.collection, id: row.id })}>Open</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </section>
  );
}

/** Filters the list on one field: its value typed, or picked when the field has a fixed set. */
function FilterForm({ fields, active, onChange }: {
  fields: FieldSpec[];
  active: Filter | null;
  onChange: (filter: Filter | null) => void;
}) {
  const [field, setField] = useState(active?.field ?? fields[0]?.name ?? "");
  const [value, setValue] = useState(active?.value ?? "");
  const spec = fields.find((f) => f.name === field);
  const choices = spec?.kind === "boolean" ? ["true", "false"] : spec?.values;

  return (
    <form
      className="filter"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(value === "" ? null : { field, value });
      }}
    >
      <label>
        Filter on{" "}
        <select
          value={field}
          onChange={(e) => {
            setField(e.target.value);
            setValue("");
          }}
        >
          {fields.map((f) => (
            <option key={f.name} value={f.name}>
              {f.label}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        Value{" "}
        {choices ? (
          <select value={value} onChange={(e) => setValue(e.target.value)}>
            <option value="">—</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ) : (
          <input value={value} onChange={(e) => setValue(e.target.value)} />
        )}
      </label>{" "}
      <button type="submit">Apply</button>
      {active !== null && (
        <button
          type="button"
          onClick={() => {
            setValue("");
            onChange(null);
          }}
        >
          Clear filter
        </button>
      )}
    </form>
  );
}
