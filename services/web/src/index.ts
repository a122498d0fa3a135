import { loadConfigOrExit } from '@movies/kit';
import { createWebService } from './app';
import { webConfigShape } from './config';

const config = loadConfigOrExit(webConfigShape);
void createWebService(config).start();
