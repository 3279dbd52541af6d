// The app's singletons: one IndexedDB repository and one lab worker facade for the whole page.
import { LabClient } from '../client/lab-client.svelte';
import { RunsRepo } from '../storage/runs-repo';

export const repo = new RunsRepo();
export const lab = new LabClient(repo);
