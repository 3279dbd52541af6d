// placeholder
export const HR_GROUPS = `
`;
