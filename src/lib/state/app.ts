// The app's singletons: the IndexedDB repositories (runs, picked files) and one lab worker facade for the page.
import { LabClient } from '../client/lab-client.svelte';
import { LabDb } from '../storage/db';
import { RunsRepoWithFiles } from '../storage/user-files';

/** Runs, and the files the user picked (served to runners that ask for `file/<name>`), in one database. */
export const repo = new RunsRepoWithFiles(new LabDb());
export const userFiles = repo.files;
export const lab = new LabClient(repo);
