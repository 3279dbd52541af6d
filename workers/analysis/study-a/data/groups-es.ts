// placeholder
export const ES_GROUPS = `
`;
