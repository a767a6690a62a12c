import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { PageQuery } from '../../common/page.query';

/** Events come oldest first; `cursor` is the nextCursor of the previous page. */
export class ListSessionEventsQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'With Accept: text/event-stream, start after this event id (as the Last-Event-ID header does)',
  })
  @IsOptional()
  @IsString()
  after?: string;
}
