import { useEffect, useState } from "react";
import { ScrollView, Text, View } from "react-native";

import { ApiError, type Account, type Api, type Row } from "../api";
import { may, mayRead } from "../access";
import type { EntitySpec } from "../model";
import { Button, styles } from "../ui";
import { display, title } from "../values";

/** One row: the fields the role may see, and Edit when it may change the row. */
export function EntityDetail({
  api,
  me,
  entity,
  id,
  onEdit,
  onBack,
}: {
  api: Api;
  me: Account;
  entity: EntitySpec;
  id: string;
  onEdit: (row: Row) => void;
  onBack: () => void;
}) {
  const [row, setRow] = useState<Row | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api.row(entity, id).then(
      (found) => {
        if (live) {
          setRow(found);
        }
      },
      (e: unknown) => {
        if (live) {
          setError(e instanceof ApiError ? e.message : String(e));
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api, entity, id]);

  return (
    <ScrollView contentContainerStyle={styles.screen}>
      <View style={styles.bar}>
        <Button label="Back" kind="plain" onPress={onBack} />
        <Text role="heading" style={styles.heading}>
          {row ? title(entity, row) : entity.label}
        </Text>
        {row && may(entity, "update", me, row) ? (
          <Button
            label="Edit"
            onPress={() => {
              onEdit(row);
            }}
          />
        ) : (
          <View />
        )}
      </View>
      {error ? (
        <Text role="alert" style={styles.error}>
          {error}
        </Text>
      ) : null}
      {row
        ? entity.fields
            .filter((field) => mayRead(field, me, row))
            .map((field) => (
              <View key={field.name} style={styles.field}>
                <Text style={styles.label}>{field.label}</Text>
                <Text testID={`value-${field.name}`}>{display(row[field.name])}</Text>
              </View>
            ))
        : null}
    </ScrollView>
  );
}
