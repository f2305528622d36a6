import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainException } from '../errors/domain.exception';

const MAX_ID = 2_147_483_647;

/** A path id: digits only (else 400); beyond the id range nothing can exist (404). */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,20}$/.test(value)) {
      throw new DomainException('VALIDATION_FAILED', 'id must be a positive integer', [
        { field: 'id', errors: ['id must be a positive integer'] },
      ]);
    }
    const id = Number(value);
    if (id < 1 || id > MAX_ID) throw new DomainException('NOT_FOUND', 'Not found');
    return id;
  }
}
