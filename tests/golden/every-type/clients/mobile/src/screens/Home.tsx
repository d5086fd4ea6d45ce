import { ScrollView, Text, View } from "react-native";

import type { Account } from "../api";
import type { EntitySpec } from "../model";
import { Button, styles } from "../ui";

/** The signed-in home: who is signed in, the entities whose rows they keep, and sign-out. */
export function Home({
  me,
  entities,
  onOpen,
  onSignOut,
}: {
  me: Account;
  entities: readonly EntitySpec[];
  onOpen: (entity: EntitySpec) => void;
  onSignOut: () => void;
}) {
  return (
    <ScrollView contentContainerStyle={styles.screen}>
      <View style={styles.bar}>
        <Text role="heading" style={styles.heading}>
          Your data
        </Text>
        <Button label="Sign out" kind="plain" onPress={onSignOut} />
      </View>
      <Text style={styles.muted}>
        {me.email} · <Text testID="role">{me.role}</Text>
      </Text>
      {entities.length === 0 ? <Text>Nothing here is kept per account for your role.</Text> : null}
      {entities.map((entity) => (
        <Button
          key={entity.collection}
          label={entity.plural}
          kind="plain"
          testID={`open-${entity.collection}`}
          onPress={() => {
            onOpen(entity);
          }}
        />
      ))}
    </ScrollView>
  );
}
