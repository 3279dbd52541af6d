// placeholder
export const EL_GROUPS = `
`;
