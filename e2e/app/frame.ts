import { start } from './main';
start(true);
