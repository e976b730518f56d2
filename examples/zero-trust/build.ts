/**
 * `npm run example -- --build`: compiles the three apps into `.build/` (building the package
 * first when src/ changed) without starting anything, for running them against the Ory servers
 * of docker-compose.yml: then `npm start` in each app's directory.
 */
import { buildApps } from './support/apps.js';

buildApps();
console.log('Built auth-bff, orders-api and inventory-api into examples/zero-trust/.build/.');
