/**
 * The benchmark's baseline: a registration handler as a typical tutorial writes it — three calls
 * in a try/catch that deletes what it made on failure, no idempotency key, no recovery point.
 * Written only for `npm run bench`; it is not how ims-api registers.
 */
import express from 'express';
import { createSupabaseClient } from '../src/supabase/client.js';

const supabase = createSupabaseClient({ url: process.env.SUPABASE_URL!, apiKey: process.env.SUPABASE_SERVICE_ROLE_KEY! });
const app = express();
app.use(express.json());

app.post('/register', async (req, res) => {
  const { name, subdomain, directorEmail, directorPassword, directorFullName } = req.body;
  const existing = await supabase.from('institutions').select('id').eq('subdomain', subdomain).maybeSingle();
  if (existing.data) {
    res.status(409).json({ error: 'subdomain taken' });
    return;
  }
  let institutionId: string | undefined;
  let userId: string | undefined;
  try {
    const institution = await supabase.from('institutions').insert({ name, subdomain, status: 'trial' }).select('id').single();
    if (institution.error) throw institution.error;
    institutionId = institution.data.id;
    const user = await supabase.auth.admin.createUser({ email: directorEmail, password: directorPassword, email_confirm: true });
    if (user.error) throw user.error;
    userId = user.data.user.id;
    const profile = await supabase.from('user_profiles').insert({ user_id: userId, institution_id: institutionId, role: 'director', full_name: directorFullName });
    if (profile.error) throw profile.error;
    res.status(201).json({ institutionId, userId });
  } catch (error) {
    if (userId) await supabase.auth.admin.deleteUser(userId);
    if (institutionId) await supabase.from('institutions').delete().eq('id', institutionId);
    res.status(500).json({ error: String(error) });
  }
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`);
});
