import { describeStateLock, parseStateLock } from './state-lock';

const boxed = `╷
│ Error: Error acquiring the state lock
│ 
│ Error message: operation error S3: PutObject, https response error StatusCode: 412
│ Lock Info:
│   ID:        0b0c7c3e-5b1a-4d2e-8f00-1234567890ab
│   Path:      movies-tfstate-333333333333/environments/prod/terraform.tfstate
│   Operation: OperationTypePlan
│   Who:       runner@fv-az42-1
│   Version:   1.8.5
│   Created:   2026-11-23 20:01:02.000000003 +0000 UTC
│   Info:      
│ 
│ Terraform acquires a state lock to protect the state from being written
│ by multiple users at the same time.
╵`;

describe('state lock errors', () => {
  it('parses the lock info from terraform output (boxed or plain)', () => {
    const lock = parseStateLock(boxed);
    expect(lock).toEqual({
      id: '0b0c7c3e-5b1a-4d2e-8f00-1234567890ab',
      path: 'movies-tfstate-333333333333/environments/prod/terraform.tfstate',
      who: 'runner@fv-az42-1',
      created: '2026-11-23 20:01:02.000000003 +0000 UTC',
      operation: 'OperationTypePlan',
      version: '1.8.5',
    });
    expect(parseStateLock(boxed.replace(/^[│╷╵] ?/gm, ''))).toEqual(lock);
    expect(describeStateLock(lock!)).toContain(
      'terraform force-unlock 0b0c7c3e-5b1a-4d2e-8f00-1234567890ab',
    );
  });

  it('ignores other errors', () => {
    expect(parseStateLock('Error: No valid credential sources found')).toBeNull();
  });
});
