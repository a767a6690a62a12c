import { ValidateIf } from 'class-validator';

/**
 * The property may be left out, but an explicit null is validated (and so refused): for
 * optional fields whose column is NOT NULL. Nullable fields use @IsOptional() instead.
 */
export const Omittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
