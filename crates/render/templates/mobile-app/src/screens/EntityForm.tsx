import { useEffect, useState } from "react";
import { ScrollView, Switch, Text, TextInput, View } from "react-native";

import { ApiError, type Account, type Api, type Row } from "../api";
import { mayWrite, own } from "../access";
import { ENTITIES, type EntitySpec, type FieldSpec, type RelationSpec } from "../model";
import { Button, Choices, Field, styles } from "../ui";
import { fromInput, title, toInput } from "../values";

/** The keyboard a field's text input wants. */
function inputMode(field: FieldSpec): "text" | "numeric" | "decimal" | "email" | "url" | "tel" {
  switch (field.kind) {
    case "integer":
      return "numeric";
    case "decimal":
      return "decimal";
    case "email":
    case "url":
    case "tel":
      return field.kind;
    default:
      return "text";
  }
}

/** The hint a text input shows for kinds typed in a set form. */
function placeholder(field: FieldSpec): string | undefined {
  switch (field.kind) {
    case "date":
      return "YYYY-MM-DD";
    case "datetime":
      return "YYYY-MM-DDTHH:MM:SSZ";
    default:
      return undefined;
  }
}

/** A to-one relation's picker: the first page of the target's rows the caller may see. */
function RelationPicker({
  api,
  relation,
  value,
  onChange,
}: {
  api: Api;
  relation: RelationSpec;
  value: string | undefined;
  onChange: (id: string) => void;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const target = ENTITIES.find((e) => e.collection === relation.target);

  useEffect(() => {
    if (target === undefined) {
      return;
    }
    let live = true;
    api.page(target).then(
      (page) => {
        if (live) {
          setRows(page.items);
        }
      },
      () => {
        if (live) {
          setRows([]);
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api, target]);

  if (target === undefined) {
    return <Text style={styles.muted}>Not offered here.</Text>;
  }
  if (rows.length === 0) {
    return <Text style={styles.muted}>No {target.plural.toLowerCase()} to pick.</Text>;
  }
  return (
    <Choices
      name={relation.key}
      options={rows.map((row) => ({ value: row.id, label: title(target, row) }))}
      value={value}
      onChange={onChange}
    />
  );
}

/** Creates a row (no `row`) or edits one: the fields the role may set, errors next to their fields. */
export function EntityForm({
  api,
  me,
  entity,
  row,
  onSaved,
  onCancel,
}: {
  api: Api;
  me: Account;
  entity: EntitySpec;
  row?: Row;
  onSaved: (row: Row) => void;
  onCancel: () => void;
}) {
  const fields = entity.fields.filter((field) => mayWrite(field, me, row));
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      fields.map((field) => {
        // A required switch starts off and is sent so: it has no "unset" look.
        const start = row?.[field.name] ?? (field.kind === "boolean" && field.required ? false : undefined);
        return [field.name, toInput(field, start)];
      }),
    ),
  );
  const [links, setLinks] = useState<Record<string, string | undefined>>(() =>
    Object.fromEntries(
      entity.relations.map((relation) => {
        const id = row?.[relation.key];
        return [relation.key, typeof id === "string" ? id : undefined];
      }),
    ),
  );
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const set = (name: string) => (text: string) => {
    setTexts((before) => ({ ...before, [name]: text }));
  };

  async function save() {
    const body: Record<string, unknown> = {};
    for (const field of fields) {
      const text = texts[field.name] ?? "";
      const initial = toInput(field, row?.[field.name]);
      if (row !== undefined && text === initial) {
        continue;
      }
      const value = fromInput(field, text);
      if (value !== undefined) {
        body[field.name] = value;
      }
    }
    for (const relation of entity.relations) {
      const id = links[relation.key];
      if (id !== undefined && id !== row?.[relation.key]) {
        body[relation.key] = id;
      }
    }
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    try {
      onSaved(row === undefined ? await api.create(entity, body) : await api.update(entity, row.id, body));
    } catch (e) {
      if (e instanceof ApiError) {
        setErrors(e.errors);
        setFailure(Object.keys(e.errors).length > 0 ? "Check the fields marked below." : e.message);
      } else {
        setFailure(String(e));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <ScrollView contentContainerStyle={styles.screen}>
      <View style={styles.bar}>
        <Button label="Cancel" kind="plain" onPress={onCancel} />
        <Text role="heading" style={styles.heading}>
          {row === undefined ? `New ${entity.label.toLowerCase()}` : `Edit ${entity.label.toLowerCase()}`}
        </Text>
        <View />
      </View>
      {failure ? (
        <Text role="alert" style={styles.error}>
          {failure}
        </Text>
      ) : null}
      {fields.map((field) => (
        <Field
          key={field.name}
          label={field.label}
          name={field.name}
          required={field.required}
          error={own(errors, field.name)}
        >
          {field.kind === "boolean" ? (
            <Switch
              accessibilityLabel={field.label}
              testID={`input-${field.name}`}
              value={texts[field.name] === "true"}
              onValueChange={(on) => {
                set(field.name)(on ? "true" : "false");
              }}
            />
          ) : field.kind === "enum" ? (
            <Choices
              name={field.name}
              options={(field.values ?? []).map((v) => ({ value: v, label: v }))}
              value={texts[field.name] === "" ? undefined : texts[field.name]}
              onChange={set(field.name)}
            />
          ) : (
            <TextInput
              accessibilityLabel={field.label}
              testID={`input-${field.name}`}
              style={styles.input}
              value={texts[field.name] ?? ""}
              onChangeText={set(field.name)}
              inputMode={inputMode(field)}
              placeholder={placeholder(field)}
              autoCapitalize={field.kind === "text" || field.kind === "textarea" ? "sentences" : "none"}
              multiline={field.kind === "textarea" || field.kind === "json"}
              maxLength={field.maxLength}
            />
          )}
        </Field>
      ))}
      {entity.relations.map((relation) => (
        <Field
          key={relation.key}
          label={relation.label}
          name={relation.key}
          required={relation.required && row === undefined}
          error={own(errors, relation.key)}
        >
          <RelationPicker
            api={api}
            relation={relation}
            value={links[relation.key]}
            onChange={(id) => {
              setLinks((before) => ({ ...before, [relation.key]: id }));
            }}
          />
        </Field>
      ))}
      <Button label="Save" onPress={() => void save()} disabled={busy} />
    </ScrollView>
  );
}
