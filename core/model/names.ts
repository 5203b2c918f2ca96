/**
 * Kubernetes' name and key syntax checks (k8s.io/apimachinery/pkg/util/validation). Each returns
 * the list of messages Kubernetes returns, empty when the value is valid.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME_PART})?`;

const dns1123LabelPattern = new RegExp(`^${DNS1123_LABEL}$`);
const dns1123SubdomainPattern = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const dns1035LabelPattern = new RegExp(`^${DNS1035_LABEL}$`);
const qualifiedNamePattern = new RegExp(`^${QUALIFIED_NAME_PART}$`);
const labelValuePattern = new RegExp(`^${LABEL_VALUE}$`);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;

/** Go's validation.RegexError: the explanation, examples and the regex. */
function regexError(message: string, pattern: string, ...examples: string[]): string {
  let text = message;
  if (examples.length) text += ` (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, `;
  else text += ' (';
  return `${text}regex used for validation is '${pattern}')`;
}

const maxLenError = (length: number) => `must be no more than ${length} characters`;

export function isDns1123Label(value: string): string[] {
  if (validDns1123Labels.has(value)) return [];
  return remember(validDns1123Labels, value, dns1123LabelErrors(value));
}

function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelPattern.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL, 'my-name', '123-abc'));
  }
  return errors;
}

export function isDns1123Subdomain(value: string): string[] {
  if (validDns1123Subdomains.has(value)) return [];
  return remember(validDns1123Subdomains, value, dns1123SubdomainErrors(value));
}

function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainPattern.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN, 'example.com'));
  }
  return errors;
}

export function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1035LabelPattern.test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL, 'my-name', 'abc-123'));
  }
  return errors;
}

/**
 * Label keys and values, names and namespaces already found valid: every write of an object
 * validates its metadata again, and they are the same few strings (a simulation's status writes
 * were spending ~2% of their time here). Bounded, so a server seeing endless new keys keeps
 * checking them afresh.
 */
const validQualifiedNames = new Set<string>();
const validLabelValues = new Set<string>();
const validDns1123Labels = new Set<string>();
const validDns1123Subdomains = new Set<string>();
const REMEMBERED_VALID = 10_000;

function remember(valid: Set<string>, value: string, errors: string[]): string[] {
  if (errors.length === 0 && valid.size < REMEMBERED_VALID) valid.add(value);
  return errors;
}

/** Label and annotation keys: `[prefix/]name` where the prefix is a DNS subdomain. */
export function isQualifiedName(value: string): string[] {
  if (validQualifiedNames.has(value)) return [];
  return remember(validQualifiedNames, value, qualifiedNameErrors(value));
}

function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else for (const message of isDns1123Subdomain(prefix)) errors.push(`prefix part ${message}`);
  } else {
    return [
      'a qualified name ' +
        regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_PART, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNamePattern.test(name)) {
    errors.push('name part ' + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_PART, 'MyName', 'my.name', '123-abc'));
  }
  return errors;
}

export function isValidLabelValue(value: string): string[] {
  if (validLabelValues.has(value)) return [];
  return remember(validLabelValues, value, labelValueErrors(value));
}

function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errors.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValuePattern.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

/** Go's `IsValidPortName`: IANA service names. */
export function isValidPortName(port: string): string[] {
  const errors: string[] = [];
  if (port.length > 15) errors.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errors.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errors.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errors.push('must not begin or end with a hyphen');
  return errors;
}

export function isValidPortNumber(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}
