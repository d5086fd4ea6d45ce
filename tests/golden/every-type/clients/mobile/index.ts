import { registerRootComponent } from "expo";

import App from "./App";

// Registers the app with React Native, on a device, in Expo Go and on the web.
registerRootComponent(App);
