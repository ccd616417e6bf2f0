/** Path of the installed Electron runtime binary, or undefined when it is not installed. */
export function installedElectron(): string | undefined;
