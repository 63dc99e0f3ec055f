/** The API's view of the flat parameter-schema checks (the code lives in common/: the executor uses it too). */
export * from '../common/param-schema';
