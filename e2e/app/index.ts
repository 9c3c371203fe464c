import { start } from './main';
start(false);
