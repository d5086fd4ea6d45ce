import { useCallback, useEffect, useState } from "react";
import { FlatList, Pressable, Text, View } from "react-native";

import { ApiError, type Account, type Api, type Row } from "../api";
import { may } from "../access";
import type { EntitySpec } from "../model";
import { Button, styles } from "../ui";
import { title } from "../values";

/** The caller's rows of an entity, a page at a time, newest first as the API orders them. */
export function EntityList({
  api,
  me,
  entity,
  onOpen,
  onNew,
  onBack,
}: {
  api: Api;
  me: Account;
  entity: EntitySpec;
  onOpen: (row: Row) => void;
  onNew: () => void;
  onBack: () => void;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);

  // Asks for a page (the first without a cursor) and shows its rows, or why it failed.
  const load = useCallback(
    (cursor?: string) =>
      api.page(entity, cursor).then(
        (page) => {
          setRows((before) => (cursor === undefined ? page.items : [...before, ...page.items]));
          setNext(page.next_cursor ?? null);
          setLoading(false);
        },
        (e: unknown) => {
          setError(e instanceof ApiError ? e.message : String(e));
          setLoading(false);
        },
      ),
    [api, entity],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <View style={styles.screen}>
      <View style={styles.bar}>
        <Button label="Back" kind="plain" onPress={onBack} />
        <Text role="heading" style={styles.heading}>
          {entity.plural}
        </Text>
        {may(entity, "create", me) ? <Button label="New" onPress={onNew} /> : <View />}
      </View>
      {error ? (
        <Text role="alert" style={styles.error}>
          {error}
        </Text>
      ) : null}
      <FlatList
        data={rows}
        keyExtractor={(row) => row.id}
        renderItem={({ item }) => (
          <Pressable
            role="button"
            testID="row"
            style={styles.row}
            onPress={() => {
              onOpen(item);
            }}
          >
            <Text>{title(entity, item)}</Text>
          </Pressable>
        )}
        ListEmptyComponent={loading ? null : <Text style={styles.muted}>No {entity.plural.toLowerCase()} yet.</Text>}
        ListFooterComponent={
          next !== null ? (
            <Button
              label="Load more"
              kind="plain"
              disabled={loading}
              onPress={() => {
                setLoading(true);
                setError(undefined);
                void load(next);
              }}
            />
          ) : null
        }
      />
    </View>
  );
}
