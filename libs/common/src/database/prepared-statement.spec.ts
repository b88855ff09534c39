import { PreparedStatement } from './prepared-statement';

describe('PreparedStatement', () => {
  it('refuses a second statement under a name already taken (a connection would run the first text for it)', () => {
    new PreparedStatement('spec_statement_once', 'SELECT 1');
    expect(() => new PreparedStatement('spec_statement_once', 'SELECT 2')).toThrow(
      'prepared statement spec_statement_once is declared twice',
    );
  });
});
