// Seeded uniform RNG for LoRA init and dropout masks: runs are reproducible from the spec's seed. One generator
// (mulberry32) serves the whole project; it lives with the pure analysis code so both worlds can use it.
export { seededRng as mulberry32 } from '../analysis/shared/rng';
