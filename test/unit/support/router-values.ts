// The Model Router's inputs as resolved values, for tests that render the stack offline.
export const ROUTER_VALUES = {
  image: 'registry.example.com/model-router:1.4.2',
  dbHost: 'pg.data.svc',
  dbPort: 5432,
  dbName: 'model_router',
  dbUser: 'router',
  dbPassword: 'p@ss:w/rd#1',
  dbSslMode: 'require',
  redisAddr: 'redis.data.svc:6379',
  openaiApiKey: 'sk-goldengoldengoldengolden0000',
};
