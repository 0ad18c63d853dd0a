/**
 * The shapes of the plain values of this feature, checked by the deciders
 * (stable error codes) and by the event validators (before anything is appended).
 */
export const SCHOOL_CODE = /^[A-Z0-9-]{2,20}$/;
export const NAME_MAX = 200;
export const GRADE_LEVEL_MAX = 30;
export const REASON_MAX = 500;
export const PURPOSE = /^[a-z][a-z0-9_]{1,49}$/;
export const PURPOSES_MAX = 20;


/** ISO 3166-1 alpha-2: the officially assigned codes. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

export { isInstant, isUuid } from '@learnstream/domain';
/** A trimmed, non-empty string of at most `max` characters. */
export const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max && v.trim() === v;
export const isSchoolCode = (v: unknown): v is string => typeof v === 'string' && SCHOOL_CODE.test(v);
export const isCountry = (v: unknown): v is string => typeof v === 'string' && COUNTRY_CODES.has(v);
export const isGradeLevel = (v: unknown): v is string | null => v === null || isText(v, GRADE_LEVEL_MAX);
export const isPurposes = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.length <= PURPOSES_MAX && v.every((p) => typeof p === 'string' && PURPOSE.test(p)) && new Set(v).size === v.length;
