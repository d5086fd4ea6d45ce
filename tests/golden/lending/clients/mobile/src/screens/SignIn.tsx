import { useState } from "react";
import { Text, TextInput, View } from "react-native";

import { ApiError, type Account, type Api } from "../api";
import { Button, Field, styles } from "../ui";

/** The sign-in screen: email and password, the API's answer when it refuses, and why the last session ended. */
export function SignIn({
  api,
  title,
  notice,
  onSignedIn,
}: {
  api: Api;
  title: string;
  notice?: string | undefined;
  onSignedIn: (me: Account) => void;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.signIn(email.trim(), password));
    } catch (e) {
      setError(e instanceof ApiError ? (e.detail ?? e.title) : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View style={styles.screen}>
      <Text role="heading" style={styles.heading}>
        Sign in
      </Text>
      <Text style={styles.muted}>{title}</Text>
      {notice ? <Text role="status">{notice}</Text> : null}
      <Field label="Email" name="email">
        <TextInput
          accessibilityLabel="Email"
          style={styles.input}
          value={email}
          onChangeText={setEmail}
          autoCapitalize="none"
          autoComplete="email"
          inputMode="email"
        />
      </Field>
      <Field label="Password" name="password">
        <TextInput
          accessibilityLabel="Password"
          style={styles.input}
          value={password}
          onChangeText={setPassword}
          secureTextEntry
          autoComplete="current-password"
          onSubmitEditing={() => void submit()}
        />
      </Field>
      {error ? (
        <Text role="alert" style={styles.error}>
          {error}
        </Text>
      ) : null}
      <Button label="Sign in" onPress={() => void submit()} disabled={busy || email === "" || password === ""} />
    </View>
  );
}
