import { runAction } from '@movies/actions-lib';
import { run } from './main';

void runAction(run);
