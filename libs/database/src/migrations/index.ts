/**
 * Every schema change, in order. A new migration is a new file here, added to
 * this list; a landed migration is never edited.
 */
import { EventStore1732200000000 } from './1732200000000-event-store';
import { PersonalData1732200000100 } from './1732200000100-personal-data';
import { Projections1732200000200 } from './1732200000200-projections';
import { Directory1732200000300 } from './1732200000300-directory';
import { MembershipHistoryVisibility1732200000310 } from './1732200000310-membership-history-visibility';
import { Courses1732200000400 } from './1732200000400-courses';
import { Assessments1732200000500 } from './1732200000500-assessments-grades';
import { Reports1732200000600 } from './1732200000600-reports';
import { Progress1732200000700 } from './1732200000700-progress';
import { Privacy1732200000800 } from './1732200000800-privacy';
import { Interop1732200000900 } from './1732200000900-interop';
import { RowSecurityEverywhere1733000300000 } from './1733000300000-row-security-everywhere';
import { XapiAgents1733000700000 } from './1733000700000-xapi-agents';
import { ImportJobs1733000700100 } from './1733000700100-import-jobs';
import { InteropRowSecurity1733000700200 } from './1733000700200-interop-row-security';
import { Transfers1733000400000 } from './1733000400000-transfers';
import { InlineProjections1733000600000 } from './1733000600000-inline-projections';
import { SessionRevocationNotify1733000600100 } from './1733000600100-session-revocation-notify';
import { XapiDocuments1734004000100 } from './1734004000100-xapi-documents';
import { KeyStoreMovedOut1733000500100 } from './1733000500100-key-store-moved-out';
import { UsageDimensions1734002000100 } from './1734002000100-usage-dimensions';
import { ErasureMentions1734002000200 } from './1734002000200-erasure-mentions';
import { EarlyWarningFacts1734008000100 } from './1734008000100-early-warning-facts';
import { RateLimits1734001000100 } from './1734001000100-rate-limits';
import { AccessWithdrawnNotify1735010000100 } from './1735010000100-access-withdrawn-notify';
import { SessionsByRealActor1735010000200 } from './1735010000200-sessions-by-real-actor';
import { XapiLmsStatements1735030000100 } from './1735030000100-xapi-lms-statements';
import { CourseIdNumbers1735040000100 } from './1735040000100-course-id-numbers';
import { AccountIdNumbers1735040000200 } from './1735040000200-account-id-numbers';
import { ActivityIdNumbers1735040000300 } from './1735040000300-activity-id-numbers';
import { EarlyWarningSchoolModels1737060000100 } from './1737060000100-early-warning-school-models';
import { InlineAppendLock1737020000100 } from './1737020000100-inline-append-lock';
import { UsagePeriodActors1737080000800 } from './1737080000800-usage-period-actors';
import { RowSecurityScopeOnce1738020000100 } from './1738020000100-row-security-scope-once';
import { UsageCells1738030000300 } from './1738030000300-usage-cells';
import { UsageCellsHotUpdates1739130000100 } from './1739130000100-usage-cells-hot-updates';
import { UsageDayTotalsFromDaily1739130000200 } from './1739130000200-usage-day-totals-from-daily';
import { ProgressClassActivity1739140004100 } from './1739140004100-progress-class-activity';
import { CatchUpFewerIndexEntries1739340000100 } from './1739340000100-catch-up-fewer-index-entries';
import { UsageDayCellsFromDaily1739340000200 } from './1739340000200-usage-day-cells-from-daily';
import { ProgressQuestionStats1739600000100 } from './1739600000100-progress-question-stats';
import { LogKeyCoversType1739900000100 } from './1739900000100-log-key-covers-type';
import { XapiStatementsNoActivitiesGin1739900000200 } from './1739900000200-xapi-statements-no-activities-gin';
import { ProgressEwWorkLines1740000000100 } from './1740000000100-progress-ew-work-lines';

export const migrations = [EventStore1732200000000, PersonalData1732200000100, Projections1732200000200, Directory1732200000300, MembershipHistoryVisibility1732200000310, Courses1732200000400, Assessments1732200000500, Reports1732200000600, Progress1732200000700, Privacy1732200000800, Interop1732200000900, RowSecurityEverywhere1733000300000, Transfers1733000400000, KeyStoreMovedOut1733000500100, InlineProjections1733000600000, SessionRevocationNotify1733000600100, XapiAgents1733000700000, ImportJobs1733000700100, InteropRowSecurity1733000700200, RateLimits1734001000100, UsageDimensions1734002000100, ErasureMentions1734002000200, XapiDocuments1734004000100, EarlyWarningFacts1734008000100, AccessWithdrawnNotify1735010000100, SessionsByRealActor1735010000200, XapiLmsStatements1735030000100, CourseIdNumbers1735040000100, AccountIdNumbers1735040000200, ActivityIdNumbers1735040000300, InlineAppendLock1737020000100, EarlyWarningSchoolModels1737060000100, UsagePeriodActors1737080000800, RowSecurityScopeOnce1738020000100, UsageCells1738030000300, UsageCellsHotUpdates1739130000100, UsageDayTotalsFromDaily1739130000200, ProgressClassActivity1739140004100, CatchUpFewerIndexEntries1739340000100, UsageDayCellsFromDaily1739340000200, ProgressQuestionStats1739600000100, LogKeyCoversType1739900000100, XapiStatementsNoActivitiesGin1739900000200, ProgressEwWorkLines1740000000100];
