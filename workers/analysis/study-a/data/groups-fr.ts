// placeholder
export const FR_GROUPS = `
`;
