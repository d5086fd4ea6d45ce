/**
 * The rows a relation's picker offers (in forms and in list filters):
 * the target's newest, as many as one page holds, each named by its first
 * text field and the start of its id.
 */
import { useEffect, useState } from "react";

import { request, type Page, type Row } from "./api";
import { display } from "./EntityDetail";
import { ENTITIES } from "./model";

/** How many rows a picker offers. */
const PICKER_ROWS = 100;

/** The rows of the entity whose collection is `collection`, and how to name one. */
export function useOptions(collection: string): { options: Row[]; name: (row: Row) => string } {
  const [options, setOptions] = useState<Row[]>([]);
  const target = ENTITIES.find((e) => e.collection === collection);

  useEffect(() => {
    if (target) {
      request<Page<Row>>("GET", `${target.path}?sort=-created_at&limit=${PICKER_ROWS}`)
        .then((page) => setOptions(page.items))
        .catch(() => setOptions([]));
    }
  }, [target]);

  const name = (row: Row) => {
    const first = target?.fields.find((f) => typeof row[f.name] === "string");
    return first ? `${display(row[first.name])} (${row.id.slice(0, 8)})` : row.id;
  };
  return { options, name };
}
