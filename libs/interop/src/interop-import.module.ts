import { Module } from '@nestjs/common';
import { AccessModule } from '@learnstream/access';
import { UsernameIndex } from '@learnstream/identity/headless';
import { IdMap } from './moodle/id-map';
import { ImportCheckpoints } from './moodle/import-checkpoints';
import { ImporterActor } from './moodle/importer-actor';
import { MoodleGradesImporter } from './moodle/moodle-grades-importer';
import { MoodleLogImporter } from './moodle/moodle-log-importer';
import { Placeholders } from './moodle/placeholders';

/** The Moodle importers, without HTTP: what the CLI needs (and the api, for the same providers). */
@Module({
  imports: [AccessModule],
  providers: [IdMap, ImportCheckpoints, ImporterActor, Placeholders, UsernameIndex, MoodleLogImporter, MoodleGradesImporter],
  exports: [MoodleLogImporter, MoodleGradesImporter],
})
export class InteropImportModule {}
