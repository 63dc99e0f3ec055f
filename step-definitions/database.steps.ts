/**
 * Steps that look into Attune's system of record. Only for scenarios tagged @requires-database.
 */
import { Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { db } from '../support/database';
import type { AttuneWorld } from '../support/world';
import { focusedEvents } from '../support/focus';

Then(
  'the database holds exactly one processed enforcement and one execution for each of those events',
  async function (this: AttuneWorld) {
    for (const event of focusedEvents(this)) {
      const enforcements = await db.enforcementsOfEvent(event.id);
      expect(enforcements, `enforcement rows of event ${event.id}`).to.have.lengthOf(1);
      expect(enforcements[0].status, `status of enforcement row ${enforcements[0].id}`).to.equal('processed');
      const executions = await db.executionsOfEnforcement(Number(enforcements[0].id));
      expect(executions, `execution rows of enforcement ${enforcements[0].id}`).to.have.lengthOf(1);
    }
  },
);
