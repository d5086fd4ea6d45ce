import { useState } from "react";

import type { Account, Row } from "./api";
import { may, mayRead } from "./access";
import { display } from "./EntityDetail";
import type { EntitySpec } from "./model";
import { useOptions } from "./options";
import { Pager, usePaged } from "./paging";
import { href } from "./route";

/** A filter the list applies: rows whose `field` equals `value`. */
interface Filter {
  field: string;
  value: string;
}

/** What a list may be filtered on: a field (typed, or picked from its values) or a relation (a row picked). */
interface FilterKey {
  name: string;
  label: string;
  choices?: readonly string[];
  target?: string;
}

/** The filters the API allows: the filterable fields the role sees, and every to-one relation. */
function filterKeys(entity: EntitySpec, me: Account): FilterKey[] {
  const fields = entity.fields
    .filter((f) => f.filterable && f.kind !== "json" && mayRead(f, me))
    .map((f) => ({ name: f.name, label: f.label, choices: f.kind === "boolean" ? ["true", "false"] : f.values }));
  const relations = entity.relations.map((r) => ({ name: r.key, label: r.label, target: r.target }));
  return [...fields, ...relations];
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
  const [filters, setFilters] = useState<Filter[]>([]);
  const query = new URLSearchParams({ sort });
  for (const filter of filters) {
    query.set(filter.field, filter.value);
  }
  const paged = usePaged<Row>(entity.path, query);
  const { page, error } = paged;
  const columns = entity.fields.filter((f) => mayRead(f, me)).slice(0, 4);
  const keys = filterKeys(entity, me);

  // A new sort or filter starts again from the first page.
  function changeSort(value: string) {
    paged.restart();
    setSort(value);
  }
  function changeFilters(value: Filter[]) {
    paged.restart();
    setFilters(value);
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
        {keys.length > 0 && <FilterForm keys={keys} active={filters} onChange={changeFilters} />}
      </div>
      {error && <p role="alert">{error}</p>}
      {page?.items.length === 0 && <p>{filters.length === 0 ? "No rows yet." : "No rows match the filters."}</p>}
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

/** A filter's value: typed, picked from the field's values, or a row of the relation's target picked. */
function ValueInput({
  spec,
  value,
  onChange,
}: {
  spec: FilterKey | undefined;
  value: string;
  onChange: (v: string) => void;
}) {
  if (spec?.target !== undefined) {
    return <RowChoice target={spec.target} value={value} onChange={onChange} />;
  }
  if (spec?.choices) {
    return (
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {spec.choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  }
  return <input value={value} onChange={(e) => onChange(e.target.value)} />;
}

function RowChoice({ target, value, onChange }: { target: string; value: string; onChange: (v: string) => void }) {
  const { options, name } = useOptions(target);
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">—</option>
      {options.map((row) => (
        <option key={row.id} value={row.id}>
          {name(row)}
        </option>
      ))}
    </select>
  );
}

/** Filters the list: each filter one field or relation and its value; rows match them all. */
function FilterForm({
  keys,
  active,
  onChange,
}: {
  keys: FilterKey[];
  active: Filter[];
  onChange: (filters: Filter[]) => void;
}) {
  const [field, setField] = useState(keys[0]?.name ?? "");
  const [value, setValue] = useState("");
  const spec = keys.find((k) => k.name === field);
  const labelOf = (name: string) => keys.find((k) => k.name === name)?.label ?? name;

  return (
    <form
      className="filter"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (value !== "") {
          // One value per key: a new value for a key replaces its filter.
          onChange([...active.filter((f) => f.field !== field), { field, value }]);
          setValue("");
        }
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
          {keys.map((k) => (
            <option key={k.name} value={k.name}>
              {k.label}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        Value <ValueInput spec={spec} value={value} onChange={setValue} />
      </label>{" "}
      <button type="submit">Apply</button>
      {active.length > 0 && (
        <>
          <ul aria-label="Filters" className="filters">
            {active.map((f) => (
              <li key={f.field}>
                {labelOf(f.field)} = {f.value}{" "}
                <button
                  type="button"
                  aria-label={`Remove the filter on ${labelOf(f.field)}`}
                  onClick={() => onChange(active.filter((g) => g.field !== f.field))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => onChange([])}>
            Clear filters
          </button>
        </>
      )}
    </form>
  );
}
