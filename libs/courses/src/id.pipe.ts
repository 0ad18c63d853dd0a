/** A path id: a UUID (else 400 VALIDATION_FAILED), in lower case as stream names and the deciders want it. */
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { UUID_PARAM } from '@learnstream/core';

export const ID: PipeTransform<string, Promise<string>> = {
  async transform(value: string, metadata: ArgumentMetadata) {
    return String(await UUID_PARAM.transform(value, metadata)).toLowerCase();
  },
};
