import type { ValidatorName } from '../../types.js';
import { isValidGitlabRoutable } from './gitlab.js';
import { hasValidBase62Crc } from './github.js';
import { isJwtWithoutAlg, isStructurallyValidJwt } from './jwt.js';

/** Offline validators a rule can name; a secret failing its validator is not reported by that rule. */
export const VALIDATORS: Record<ValidatorName, (secret: string) => boolean> = {
  'github-checksum': (s) => hasValidBase62Crc(s),
  'npm-checksum': (s) => hasValidBase62Crc(s),
  'gitlab-routable': (s) => isValidGitlabRoutable(s),
  jwt: (s) => isStructurallyValidJwt(s),
  'jwt-without-alg': (s) => isJwtWithoutAlg(s),
};
