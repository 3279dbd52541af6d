// placeholder
export const DE_GROUPS = `
`;
