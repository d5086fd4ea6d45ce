/**
 * The few building blocks the screens share: a button, a field's label
 * and error, a row of choices, and the styles. Every control has an
 * accessible role and label, so screen readers (and the browser tests on
 * the web build) find it by name.
 */
import type { ReactNode } from "react";
import { Pressable, StyleSheet, Text, View } from "react-native";

/** A button: a pressable with the `button` role and its label as the name. */
export function Button({
  label,
  onPress,
  disabled,
  kind = "primary",
  testID,
}: {
  label: string;
  onPress: () => void;
  disabled?: boolean;
  kind?: "primary" | "plain";
  testID?: string;
}) {
  return (
    <Pressable
      role="button"
      accessibilityLabel={label}
      disabled={disabled}
      onPress={onPress}
      testID={testID}
      style={({ pressed }) => [
        kind === "primary" ? styles.primary : styles.plain,
        (pressed || disabled) && styles.dimmed,
      ]}
    >
      <Text style={kind === "primary" ? styles.primaryText : styles.plainText}>{label}</Text>
    </Pressable>
  );
}

/** A field's label above its input, and its error below. */
export function Field({
  label,
  required,
  error,
  name,
  children,
}: {
  label: string;
  required?: boolean;
  error?: string | undefined;
  name: string;
  children: ReactNode;
}) {
  return (
    <View style={styles.field}>
      <Text style={styles.label} nativeID={`label-${name}`}>
        {label}
        {required ? " *" : ""}
      </Text>
      {children}
      {error ? (
        <Text role="alert" style={styles.error} testID={`error-${name}`}>
          {error}
        </Text>
      ) : null}
    </View>
  );
}

/** One choice among a few: a row of toggles, the chosen one selected. */
export function Choices({
  name,
  options,
  value,
  onChange,
}: {
  name: string;
  options: readonly { value: string; label: string }[];
  value: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <View role="radiogroup" testID={`choices-${name}`} style={styles.choices}>
      {options.map((option) => {
        const chosen = option.value === value;
        return (
          <Pressable
            key={option.value}
            role="radio"
            aria-checked={chosen}
            accessibilityLabel={option.label}
            testID={`choice-${name}`}
            onPress={() => {
              onChange(option.value);
            }}
            style={[styles.choice, chosen && styles.chosen]}
          >
            <Text style={chosen ? styles.chosenText : undefined}>{option.label}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

/** The styles the screens share. */
export const styles = StyleSheet.create({
  screen: { flex: 1, padding: 16, gap: 12, backgroundColor: "#fff" },
  heading: { fontSize: 22, fontWeight: "600" },
  muted: { color: "#555" },
  bar: { flexDirection: "row", justifyContent: "space-between", alignItems: "center", gap: 8 },
  field: { gap: 4 },
  label: { fontWeight: "600" },
  input: { borderWidth: 1, borderColor: "#999", borderRadius: 6, padding: 8, fontSize: 16 },
  error: { color: "#b00020" },
  primary: {
    backgroundColor: "#1f4fd6",
    borderRadius: 6,
    paddingVertical: 10,
    paddingHorizontal: 14,
    alignItems: "center",
  },
  primaryText: { color: "#fff", fontWeight: "600" },
  plain: { paddingVertical: 10, paddingHorizontal: 8, alignItems: "center" },
  plainText: { color: "#1f4fd6" },
  dimmed: { opacity: 0.6 },
  row: { paddingVertical: 12, borderBottomWidth: 1, borderBottomColor: "#ddd" },
  choices: { flexDirection: "row", flexWrap: "wrap", gap: 6 },
  choice: { borderWidth: 1, borderColor: "#999", borderRadius: 16, paddingVertical: 6, paddingHorizontal: 12 },
  chosen: { backgroundColor: "#1f4fd6", borderColor: "#1f4fd6" },
  chosenText: { color: "#fff" },
});
