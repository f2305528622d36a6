import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainException } from '../errors/domain.exception';
import { MAX_ID, parseIdText } from './id';

/**
 * A path id: canonical digits only (docs/api.md, General rules; `01`, `0x1`, `1e0`, `+1`, ` 1` are 400), and
 * beyond the id range nothing can exist (404).
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata?: ArgumentMetadata): number {
    const id = parseIdText(value);
    if (id === null) {
      const field = metadata?.data ?? 'id';
      const message = `${field} must be a positive integer in plain digits`;
      throw new DomainException('VALIDATION_FAILED', message, [{ field, errors: [message] }]);
    }
    if (id > MAX_ID) throw new DomainException('NOT_FOUND', 'Not found');
    return id;
  }
}
